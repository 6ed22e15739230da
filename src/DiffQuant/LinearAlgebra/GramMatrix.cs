using System.Buffers;

namespace DiffQuant.LinearAlgebra;

/// <summary>G = AᵀA, dense for dense A and sparse for sparse A.</summary>
public static class GramMatrix
{
    /// <summary>
    /// Dense A: the columns are gathered once and G_ij = ⟨a_i, a_j⟩ taken as SIMD dot products over the
    /// upper triangle (n²m/2 multiply-adds). Sparse A: G = Σ_rows a_r a_rᵀ over each row's entries, kept
    /// sparse. Any other operator is densified first.
    /// </summary>
    public static ILinearOperator Compute(ILinearOperator a)
    {
        return a switch
        {
            DenseMatrix dense => Dense(dense),
            CsrMatrix sparse => Sparse(sparse),
            _ => Dense(DenseMatrix.FromArray(a.ToArray())),
        };
    }

    /// <summary>Multiply-adds of one product with <paramref name="gram"/>: nnz for sparse, n² for dense.</summary>
    public static long Cost(ILinearOperator gram) => gram is CsrMatrix sparse ? sparse.NonZeros : (long)gram.Rows * gram.Columns;

    /// <summary>Stored entries of <paramref name="a"/>: nnz for sparse, m·n for dense.</summary>
    public static long NonZeros(ILinearOperator a) => a is CsrMatrix sparse ? sparse.NonZeros : (long)a.Rows * a.Columns;

    private static DenseMatrix Dense(DenseMatrix a)
    {
        var n = a.Columns;
        var m = a.Rows;
        // The transpose is scratch, rented so that a sweep does not allocate a large array per instance.
        var rented = ArrayPool<double>.Shared.Rent(n * m);
        var columns = rented.AsSpan(0, n * m);
        for (var i = 0; i < m; i++)
        {
            var row = a.Row(i);
            for (var j = 0; j < n; j++)
            {
                columns[(j * m) + i] = row[j];
            }
        }

        var gram = new double[n * n];
        DenseKernels.Gram(columns, m, n, gram);
        ArrayPool<double>.Shared.Return(rented);
        return new DenseMatrix(n, n, gram);
    }

    private static CsrMatrix Sparse(CsrMatrix a)
    {
        var entries = new List<(int, int, double)>();
        for (var r = 0; r < a.Rows; r++)
        {
            var columns = a.RowColumns(r);
            var values = a.RowValues(r);
            for (var p = 0; p < columns.Length; p++)
            {
                for (var q = 0; q < columns.Length; q++)
                {
                    entries.Add((columns[p], columns[q], values[p] * values[q]));
                }
            }
        }

        return CsrMatrix.FromTriplets(a.Columns, a.Columns, entries);
    }
}
