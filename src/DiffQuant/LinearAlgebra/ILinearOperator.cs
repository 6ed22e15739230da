namespace DiffQuant.LinearAlgebra;

/// <summary>A real m × n matrix as products with vectors.</summary>
public interface ILinearOperator
{
    int Rows { get; }

    int Columns { get; }

    /// <summary>y = A x (x of length n, y of length m).</summary>
    void Multiply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>x = Aᵀ y (y of length m, x of length n).</summary>
    void MultiplyTransposed(ReadOnlySpan<double> y, Span<double> x);

    /// <summary>⟨a_i, x⟩ for row i of A.</summary>
    double RowDot(int row, ReadOnlySpan<double> x);

    /// <summary>target ← target + scale·a_i for row i of A.</summary>
    void AddRow(int row, double scale, Span<double> target);

    /// <summary>The matrix of the given rows, in that order (a worker's shard).</summary>
    ILinearOperator SelectRows(IReadOnlyList<int> rows);

    /// <summary>The entries as a dense row-major array (for factorizations).</summary>
    double[,] ToArray();
}
