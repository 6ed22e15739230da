using System.Numerics.Tensors;

namespace DiffQuant.LinearAlgebra;

/// <summary>
/// Eigenvalues of a symmetric matrix without its eigenvectors: Householder reduction to tridiagonal form
/// (4n³/3 multiply-adds on whole rows) and the implicit QL iteration with Wilkinson shifts on the tridiagonal (O(n²)). Written
/// here because MathNet's symmetric EVD always accumulates the eigenvectors, which costs about three times as
/// much for the two numbers L and μ that tuning needs.
/// </summary>
public static class SymmetricSpectrum
{
    private const int MaxSweepsPerEigenvalue = 60;

    /// <summary>(λ_min, λ_max) of the symmetric <paramref name="matrix"/>.</summary>
    public static (double Min, double Max) Extremes(ILinearOperator matrix)
    {
        var values = Eigenvalues(matrix);
        return values.Length == 0 ? (double.NaN, double.NaN) : (values[0], values[^1]);
    }

    /// <summary>All eigenvalues of the symmetric <paramref name="matrix"/>, ascending.</summary>
    public static double[] Eigenvalues(ILinearOperator matrix)
    {
        if (matrix.Rows != matrix.Columns)
        {
            Guard.Throw($"eigenvalues need a square matrix, got {matrix.Rows} × {matrix.Columns}.");
        }

        var n = matrix.Rows;
        var entries = matrix.ToArray();
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var value = entries[i, j];
                if (!double.IsFinite(value))
                {
                    Guard.Throw($"the matrix has a non-finite entry at ({i + 1}, {j + 1}): {value}; values too large for binary64 overflow (for G = AᵀA, rescale A).");
                }

                a[(i * n) + j] = value;
            }
        }

        var diagonal = new double[n];
        var offDiagonal = new double[n];
        Tridiagonalize(a, n, diagonal, offDiagonal);
        Diagonalize(diagonal, offDiagonal);
        Array.Sort(diagonal);
        return diagonal;
    }

    /// <summary>The eigenvalues of the symmetric tridiagonal matrix with <paramref name="diagonal"/> and <paramref name="offDiagonal"/> (entry (i+1, i) at i), ascending.</summary>
    public static double[] TridiagonalEigenvalues(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal)
    {
        Guard.SameLength(offDiagonal.Length, Math.Max(diagonal.Length - 1, 0), "the off-diagonal of a tridiagonal matrix");
        var d = diagonal.ToArray();
        var e = new double[d.Length];
        offDiagonal.CopyTo(e.AsSpan(Math.Min(1, e.Length)));
        Diagonalize(d, e);
        Array.Sort(d);
        return d;
    }

    /// <summary>
    /// Householder reduction of the symmetric <paramref name="a"/> (row-major, both triangles, destroyed): on
    /// return d holds the diagonal and e[i] the entry (i, i−1) of a similar tridiagonal matrix (e[0] is unused).
    /// Step i reflects row i left of its subdiagonal to zero with v, then updates the leading block by
    /// A ← A − v qᵀ − q vᵀ (p = A v / h, q = p − (vᵀp / 2h) v); whole rows are kept so every inner loop is a
    /// contiguous SIMD dot product or multiply-add.
    /// </summary>
    private static void Tridiagonalize(double[] a, int n, double[] d, double[] e)
    {
        var p = new double[n];
        for (var i = n - 1; i > 0; i--)
        {
            var l = i - 1;
            var v = a.AsSpan(i * n, l + 1);
            var scale = TensorPrimitives.SumOfMagnitudes<double>(v);
            if (l == 0 || scale == 0)
            {
                // Nothing to annihilate: row i is already tridiagonal.
                e[i] = a[(i * n) + l];
                continue;
            }

            TensorPrimitives.Divide(v, scale, v);
            var h = TensorPrimitives.SumOfSquares<double>(v);
            var f = v[l];
            var g = f >= 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
            e[i] = scale * g;
            h -= f * g;
            v[l] = f - g;
            var q = p.AsSpan(0, l + 1);
            for (var j = 0; j <= l; j++)
            {
                q[j] = TensorPrimitives.Dot<double>(a.AsSpan(j * n, l + 1), v) / h;
            }

            var hh = TensorPrimitives.Dot<double>(q, v) / (h + h);
            TensorPrimitives.MultiplyAdd(v, -hh, q, q);
            for (var j = 0; j <= l; j++)
            {
                var row = a.AsSpan(j * n, l + 1);
                TensorPrimitives.MultiplyAdd(q, -v[j], row, row);
                TensorPrimitives.MultiplyAdd(v, -q[j], row, row);
            }
        }

        for (var i = 0; i < n; i++)
        {
            d[i] = a[(i * n) + i];
        }
    }

    /// <summary>
    /// The implicit QL iteration on the tridiagonal (d, e) from <see cref="Tridiagonalize"/>: on return d holds
    /// the eigenvalues (unordered). Each sweep deflates once an off-diagonal entry is negligible against its
    /// neighbours on the diagonal.
    /// </summary>
    private static void Diagonalize(double[] d, double[] e)
    {
        var n = d.Length;
        for (var i = 1; i < n; i++)
        {
            e[i - 1] = e[i];
        }

        if (n > 0)
        {
            e[n - 1] = 0;
        }

        for (var l = 0; l < n; l++)
        {
            var sweeps = 0;
            while (true)
            {
                var m = l;
                for (; m < n - 1; m++)
                {
                    var scale = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon + (1.1102230246251565e-16 * scale))
                    {
                        break;
                    }
                }

                if (m == l)
                {
                    break;
                }

                if (++sweeps > MaxSweepsPerEigenvalue)
                {
                    Guard.Throw($"the symmetric eigenvalue iteration did not converge in {MaxSweepsPerEigenvalue} sweeps.");
                }

                // Wilkinson shift from the leading 2 × 2 block, then chase the bulge up from m to l with rotations.
                var g = (d[l + 1] - d[l]) / (2 * e[l]);
                var r = Hypot(g, 1);
                g = d[m] - d[l] + (e[l] / (g + (g >= 0 ? r : -r)));
                double s = 1, c = 1, p = 0;
                var deflated = false;
                for (var i = m - 1; i >= l; i--)
                {
                    var f = s * e[i];
                    var b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }

                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = ((d[i] - g) * s) + (2 * c * b);
                    p = s * r;
                    d[i + 1] = g + p;
                    g = (c * r) - b;
                }

                if (deflated)
                {
                    continue;
                }

                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    /// <summary>√(a² + b²), scaled only when the plain form overflows or underflows.</summary>
    private static double Hypot(double a, double b)
    {
        var plain = Math.Sqrt((a * a) + (b * b));
        if (double.IsNormal(plain))
        {
            return plain;
        }

        var (x, y) = (Math.Abs(a), Math.Abs(b));
        if (x < y)
        {
            (x, y) = (y, x);
        }

        if (x == 0)
        {
            return 0;
        }

        var ratio = y / x;
        return x * Math.Sqrt(1 + (ratio * ratio));
    }
}
