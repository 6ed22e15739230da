namespace DiffQuant.LinearAlgebra;

/// <summary>A sparse matrix in compressed sparse row form.</summary>
public sealed class CsrMatrix : ILinearOperator
{
    private readonly int[] _rowStart;
    private readonly int[] _columnIndex;
    private readonly double[] _values;

    private CsrMatrix(int rows, int columns, int[] rowStart, int[] columnIndex, double[] values)
    {
        Rows = rows;
        Columns = columns;
        _rowStart = rowStart;
        _columnIndex = columnIndex;
        _values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public int NonZeros => _values.Length;

    /// <summary>The column indices of row <paramref name="i"/>, ascending.</summary>
    public ReadOnlySpan<int> RowColumns(int i) => _columnIndex.AsSpan(_rowStart[i], _rowStart[i + 1] - _rowStart[i]);

    /// <summary>The values of row <paramref name="i"/>, in the order of <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<double> RowValues(int i) => _values.AsSpan(_rowStart[i], _rowStart[i + 1] - _rowStart[i]);

    /// <summary>Builds the matrix from (row, column, value) triplets, 0-based; duplicates are summed.</summary>
    public static CsrMatrix FromTriplets(int rows, int columns, IReadOnlyList<(int Row, int Column, double Value)> entries)
    {
        if (rows < 0 || columns < 0)
        {
            Guard.Throw($"matrix dimensions must be non-negative, got {rows} × {columns}.");
        }

        var rowStart = new int[rows + 1];
        foreach (var (row, column, _) in entries)
        {
            if ((uint)row >= (uint)rows || (uint)column >= (uint)columns)
            {
                Guard.Throw($"entry ({row}, {column}) lies outside a {rows} × {columns} matrix.");
            }

            rowStart[row + 1]++;
        }

        for (var i = 0; i < rows; i++)
        {
            rowStart[i + 1] += rowStart[i];
        }

        var next = rowStart[..^1];
        var columnIndex = new int[entries.Count];
        var values = new double[entries.Count];
        foreach (var (row, column, value) in entries)
        {
            var k = next[row]++;
            columnIndex[k] = column;
            values[k] = value;
        }

        return Compact(rows, columns, rowStart, columnIndex, values);
    }

    /// <summary>
    /// Builds the matrix from rows given in CSR arrays (row i's entries at rowStart[i]..rowStart[i+1]−1, any order,
    /// 0-based columns; sorted in place); duplicates are summed. Cheaper than triplets for generated matrices of millions of entries.
    /// </summary>
    public static CsrMatrix FromRows(int rows, int columns, int[] rowStart, int[] columnIndex, double[] values)
    {
        Guard.SameLength(rowStart.Length, rows + 1, "the row starts (rows + 1)");
        Guard.SameLength(values.Length, columnIndex.Length, "the values (one per column index)");
        if (rowStart[0] != 0 || rowStart[^1] != values.Length)
        {
            Guard.Throw($"the row starts must run from 0 to the {values.Length} entries.");
        }

        for (var i = 0; i < rows; i++)
        {
            if (rowStart[i + 1] < rowStart[i])
            {
                Guard.Throw($"the row starts must not decrease (row {i}).");
            }
        }

        foreach (var column in columnIndex)
        {
            if ((uint)column >= (uint)columns)
            {
                Guard.Throw($"column index {column} lies outside 0..{columns - 1}.");
            }
        }

        return Compact(rows, columns, rowStart, columnIndex, values);
    }

    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        Guard.SameLength(x.Length, Columns, "x in A·x");
        Guard.SameLength(y.Length, Rows, "the result of A·x");
        for (var i = 0; i < Rows; i++)
        {
            double sum = 0;
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                sum += _values[k] * x[_columnIndex[k]];
            }

            y[i] = sum;
        }
    }

    public void MultiplyTransposed(ReadOnlySpan<double> y, Span<double> x)
    {
        Guard.SameLength(y.Length, Rows, "y in Aᵀ·y");
        Guard.SameLength(x.Length, Columns, "the result of Aᵀ·y");
        x.Clear();
        for (var i = 0; i < Rows; i++)
        {
            var yi = y[i];
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                x[_columnIndex[k]] += _values[k] * yi;
            }
        }
    }

    public double RowDot(int row, ReadOnlySpan<double> x)
    {
        var columns = RowColumns(row);
        var values = RowValues(row);
        double sum = 0;
        for (var p = 0; p < columns.Length; p++)
        {
            sum += values[p] * x[columns[p]];
        }

        return sum;
    }

    public void AddRow(int row, double scale, Span<double> target)
    {
        var columns = RowColumns(row);
        var values = RowValues(row);
        for (var p = 0; p < columns.Length; p++)
        {
            target[columns[p]] += scale * values[p];
        }
    }

    public ILinearOperator SelectRows(IReadOnlyList<int> rows)
    {
        var entries = new List<(int, int, double)>();
        for (var r = 0; r < rows.Count; r++)
        {
            var columns = RowColumns(rows[r]);
            var values = RowValues(rows[r]);
            for (var k = 0; k < columns.Length; k++)
            {
                entries.Add((r, columns[k], values[k]));
            }
        }

        return FromTriplets(rows.Count, Columns, entries);
    }

    public double[,] ToArray()
    {
        var entries = new double[Rows, Columns];
        for (var i = 0; i < Rows; i++)
        {
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                entries[i, _columnIndex[k]] += _values[k];
            }
        }

        return entries;
    }

    /// <summary>Sorts each row by column and sums duplicate entries.</summary>
    private static CsrMatrix Compact(int rows, int columns, int[] rowStart, int[] columnIndex, double[] values)
    {
        var newStart = new int[rows + 1];
        var newColumns = new List<int>(values.Length);
        var newValues = new List<double>(values.Length);
        for (var i = 0; i < rows; i++)
        {
            var start = rowStart[i];
            var length = rowStart[i + 1] - start;
            Array.Sort(columnIndex, values, start, length);
            for (var k = start; k < start + length; k++)
            {
                if (newColumns.Count > newStart[i] && newColumns[^1] == columnIndex[k])
                {
                    newValues[^1] += values[k];
                }
                else
                {
                    newColumns.Add(columnIndex[k]);
                    newValues.Add(values[k]);
                }
            }

            newStart[i + 1] = newColumns.Count;
        }

        return new CsrMatrix(rows, columns, newStart, [.. newColumns], [.. newValues]);
    }
}
