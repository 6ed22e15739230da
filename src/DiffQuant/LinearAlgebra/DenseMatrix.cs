using System.Numerics.Tensors;

namespace DiffQuant.LinearAlgebra;

/// <summary>A dense row-major matrix whose products run on SIMD dot and axpy kernels.</summary>
public sealed class DenseMatrix : ILinearOperator
{
    private readonly double[] _values;

    /// <param name="values">Row-major entries, length rows·columns; kept, not copied.</param>
    public DenseMatrix(int rows, int columns, double[] values)
    {
        if (rows < 0 || columns < 0)
        {
            Guard.Throw($"matrix dimensions must be non-negative, got {rows} × {columns}.");
        }

        Guard.SameLength(values.Length, rows * columns, "the matrix entries");
        Rows = rows;
        Columns = columns;
        _values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public ReadOnlySpan<double> Row(int i) => _values.AsSpan(i * Columns, Columns);

    public double this[int i, int j] => _values[(i * Columns) + j];

    public static DenseMatrix FromArray(double[,] entries)
    {
        var rows = entries.GetLength(0);
        var columns = entries.GetLength(1);
        var values = new double[rows * columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                values[(i * columns) + j] = entries[i, j];
            }
        }

        return new DenseMatrix(rows, columns, values);
    }

    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        Guard.SameLength(y.Length, Rows, "the result of A·x");
        DenseKernels.MultiplyRows(_values, Columns, x, y);
    }

    public void MultiplyTransposed(ReadOnlySpan<double> y, Span<double> x)
    {
        Guard.SameLength(y.Length, Rows, "y in Aᵀ·y");
        Guard.SameLength(x.Length, Columns, "the result of Aᵀ·y");
        x.Clear();
        for (var i = 0; i < Rows; i++)
        {
            TensorPrimitives.MultiplyAdd(Row(i), y[i], x, x);
        }
    }

    public double RowDot(int row, ReadOnlySpan<double> x) => TensorPrimitives.Dot(Row(row), x);

    public void AddRow(int row, double scale, Span<double> target) => TensorPrimitives.MultiplyAdd(Row(row), scale, target, target);

    public ILinearOperator SelectRows(IReadOnlyList<int> rows)
    {
        var values = new double[checked(rows.Count * Columns)];
        for (var r = 0; r < rows.Count; r++)
        {
            Row(rows[r]).CopyTo(values.AsSpan(r * Columns, Columns));
        }

        return new DenseMatrix(rows.Count, Columns, values);
    }

    public double[,] ToArray()
    {
        var entries = new double[Rows, Columns];
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Columns; j++)
            {
                entries[i, j] = _values[(i * Columns) + j];
            }
        }

        return entries;
    }
}
