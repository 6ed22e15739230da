using DiffQuant.LinearAlgebra;

namespace DiffQuant.Problems;

/// <summary>
/// Large sparse least squares: A (m × n, m ≥ n) with d entries a row. Row i &lt; n is e_iᵀ + (c/√(d−1))·(d−1) i.i.d.
/// N(0, 1) entries at uniformly random columns, so its square part is I + W with ‖W‖ ≈ 2c and κ(f) ≈ ((1+2c)/(1−2c))²
/// (about 9 at c = ¼; measured 5.4 at n = 10⁶ with 10 entries a row, 13.5 at n = 2500 with 5, where the few entries a
/// column spread the spectrum more); rows i ≥ n are d i.i.d. N(0, 1)/√d entries at random columns. y ~ N(0, I). Sized for runs far
/// beyond dense factorization (n = 10⁶ with 10⁷ non-zeros): L and μ come from Lanczos, x* from CGLS.
/// </summary>
public static class SparseEnsemble
{
    /// <summary>c, the scale of the off-diagonal part of the square block.</summary>
    public const double OffDiagonalScale = 0.25;

    /// <summary>Entries a row unless told otherwise.</summary>
    public const int DefaultEntriesPerRow = 10;

    public static Problem Create(int m, int n, int entriesPerRow, long seed)
    {
        if (m <= 0 || n <= 0)
        {
            Guard.Throw($"--m and --n must be positive, got m = {m}, n = {n}.");
        }

        if (m < n)
        {
            Guard.Throw($"--m {m} is below --n {n}: A needs at least as many rows as columns for a strongly convex problem (else μ = 0).");
        }

        if (entriesPerRow < 2 || entriesPerRow > n)
        {
            Guard.Throw($"--nnz-per-row must lie in 2..{n} (the diagonal and at least one random entry, at most --n), got {entriesPerRow}.");
        }

        var entries = (long)m * entriesPerRow;
        ProblemLimits.Entries(entries, $"A (--m {m} × --nnz-per-row {entriesPerRow})");
        // A's CSR arrays and their compacted copy (24 bytes an entry), y and the solver's vectors.
        ProblemLimits.Memory((24.0 * entries) + (80.0 * (m + n)), $"a sparse {m} × {n} least-squares problem with {entries:N0} entries");
        var rowStart = new int[m + 1];
        var columns = new int[entries];
        var values = GaussianSource.Vector((int)entries, seed, GaussianSource.Stream.Matrix);
        var pattern = GaussianSource.Generator(seed, GaussianSource.Stream.Pattern);
        var offDiagonal = OffDiagonalScale / Math.Sqrt(entriesPerRow - 1);
        var tall = 1 / Math.Sqrt(entriesPerRow);
        for (var i = 0; i < m; i++)
        {
            var start = i * entriesPerRow;
            rowStart[i + 1] = start + entriesPerRow;
            var first = start;
            if (i < n)
            {
                columns[start] = i;
                values[start] = 1;
                first++;
            }

            for (var k = first; k < start + entriesPerRow; k++)
            {
                columns[k] = (int)pattern.NextBelow((ulong)n);
                values[k] *= i < n ? offDiagonal : tall;
            }
        }

        var a = CsrMatrix.FromRows(m, n, rowStart, columns, values);
        var y = GaussianSource.Vector(m, seed, GaussianSource.Stream.Target);
        return LeastSquaresProblem.Create($"sparse {m}x{n} nnz/row={entriesPerRow}", a, y);
    }
}
