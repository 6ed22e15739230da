using System.Numerics;
using System.Runtime.InteropServices;

namespace DiffQuant.LinearAlgebra;

/// <summary>
/// Dense kernels with a forceable scalar reference (<c>scalar: true</c>) that the vector paths are tested against.
/// </summary>
public static class DenseKernels
{
    private const int RowBlock = 4;

    /// <summary>
    /// y = A x for a dense row-major A (y.Length rows × <c>columns</c>): y_i = Σ_j A_ij x_j, rows·columns
    /// multiply-adds. The vector path takes four rows at a time, so each load of x feeds four fused
    /// multiply-adds and each row's sum is reduced once.
    /// </summary>
    public static void MultiplyRows(ReadOnlySpan<double> a, int columns, ReadOnlySpan<double> x, Span<double> y, bool scalar = false)
    {
        Guard.SameLength(x.Length, columns, "x in A·x");
        Guard.SameLength(a.Length, y.Length * columns, "the matrix entries");
        if (scalar || !Vector.IsHardwareAccelerated || columns < Vector<double>.Count)
        {
            Reference(a, columns, x, y);
            return;
        }

        var rows = y.Length;
        var i = 0;
        for (; i + RowBlock <= rows; i += RowBlock)
        {
            FourRows(a.Slice(i * columns, RowBlock * columns), columns, x, y.Slice(i, RowBlock));
        }

        for (; i < rows; i++)
        {
            y[i] = Dot(a.Slice(i * columns, columns), x);
        }
    }

    /// <summary>
    /// G = AᵀA from the n columns of A stored one after another (column-major, length m each): G_ij = ⟨c_i, c_j⟩,
    /// n(n+1)m/2 multiply-adds over the upper triangle, mirrored. The vector path computes 2 × 4 tiles, so
    /// six loads feed eight multiply-adds; G_ij and G_ji are the same bits.
    /// </summary>
    public static void Gram(ReadOnlySpan<double> columns, int m, int n, Span<double> gram, bool scalar = false)
    {
        Guard.SameLength(columns.Length, m * n, "the columns of A");
        Guard.SameLength(gram.Length, n * n, "the Gram matrix");
        var vector = !scalar && Vector.IsHardwareAccelerated && m >= Vector<double>.Count;
        for (var i = 0; i < n; i += 2)
        {
            for (var j = i; j < n; j += 4)
            {
                if (vector && i + 1 < n && j + 3 < n)
                {
                    Tile(columns, m, i, j, n, gram);
                    continue;
                }

                for (var a = i; a < Math.Min(i + 2, n); a++)
                {
                    for (var b = Math.Max(j, a); b < Math.Min(j + 4, n); b++)
                    {
                        var c = columns.Slice(a * m, m);
                        var d = columns.Slice(b * m, m);
                        gram[(a * n) + b] = gram[(b * n) + a] = vector ? Dot(c, d) : ReferenceDot(c, d);
                    }
                }
            }
        }
    }

    private static void Tile(ReadOnlySpan<double> columns, int m, int i, int j, int n, Span<double> gram)
    {
        ref var c0 = ref MemoryMarshal.GetReference(columns);
        var width = Vector<double>.Count;
        var end = m - (m % width);
        var (a0, a1) = ((nuint)(i * m), (nuint)((i + 1) * m));
        var (b0, b1, b2, b3) = ((nuint)(j * m), (nuint)((j + 1) * m), (nuint)((j + 2) * m), (nuint)((j + 3) * m));
        Vector<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector<double> s10 = default, s11 = default, s12 = default, s13 = default;
        for (nuint r = 0; r < (nuint)end; r += (nuint)width)
        {
            var x0 = Vector.LoadUnsafe(ref c0, a0 + r);
            var x1 = Vector.LoadUnsafe(ref c0, a1 + r);
            var y = Vector.LoadUnsafe(ref c0, b0 + r);
            s00 = Vector.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector.FusedMultiplyAdd(x1, y, s10);
            y = Vector.LoadUnsafe(ref c0, b1 + r);
            s01 = Vector.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector.FusedMultiplyAdd(x1, y, s11);
            y = Vector.LoadUnsafe(ref c0, b2 + r);
            s02 = Vector.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector.FusedMultiplyAdd(x1, y, s12);
            y = Vector.LoadUnsafe(ref c0, b3 + r);
            s03 = Vector.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector.FusedMultiplyAdd(x1, y, s13);
        }

        Span<double> sums = [Vector.Sum(s00), Vector.Sum(s01), Vector.Sum(s02), Vector.Sum(s03), Vector.Sum(s10), Vector.Sum(s11), Vector.Sum(s12), Vector.Sum(s13)];
        for (var p = 0; p < 2; p++)
        {
            for (var q = 0; q < 4; q++)
            {
                var sum = sums[(p * 4) + q];
                for (var r = end; r < m; r++)
                {
                    sum += columns[((i + p) * m) + r] * columns[((j + q) * m) + r];
                }

                gram[((i + p) * n) + j + q] = gram[((j + q) * n) + i + p] = sum;
            }
        }
    }

    private static double ReferenceDot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (var k = 0; k < x.Length; k++)
        {
            sum += x[k] * y[k];
        }

        return sum;
    }

    private static void Reference(ReadOnlySpan<double> a, int columns, ReadOnlySpan<double> x, Span<double> y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            double sum = 0;
            var row = a.Slice(i * columns, columns);
            for (var j = 0; j < columns; j++)
            {
                sum += row[j] * x[j];
            }

            y[i] = sum;
        }
    }

    private static void FourRows(ReadOnlySpan<double> block, int columns, ReadOnlySpan<double> x, Span<double> y)
    {
        ref var a0 = ref MemoryMarshal.GetReference(block);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        var width = Vector<double>.Count;
        var end = columns - (columns % width);
        var (r1, r2, r3) = ((nuint)columns, (nuint)(2 * columns), (nuint)(3 * columns));
        Vector<double> s0 = default, s1 = default, s2 = default, s3 = default;
        for (nuint j = 0; j < (nuint)end; j += (nuint)width)
        {
            var xv = Vector.LoadUnsafe(ref x0, j);
            s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a0, j), xv, s0);
            s1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a0, r1 + j), xv, s1);
            s2 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a0, r2 + j), xv, s2);
            s3 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a0, r3 + j), xv, s3);
        }

        var (t0, t1, t2, t3) = (Vector.Sum(s0), Vector.Sum(s1), Vector.Sum(s2), Vector.Sum(s3));
        for (var j = end; j < columns; j++)
        {
            t0 += block[j] * x[j];
            t1 += block[columns + j] * x[j];
            t2 += block[(2 * columns) + j] * x[j];
            t3 += block[(3 * columns) + j] * x[j];
        }

        (y[0], y[1], y[2], y[3]) = (t0, t1, t2, t3);
    }

    private static double Dot(ReadOnlySpan<double> row, ReadOnlySpan<double> x)
    {
        ref var a0 = ref MemoryMarshal.GetReference(row);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        var width = Vector<double>.Count;
        var end = row.Length - (row.Length % width);
        Vector<double> s = default;
        for (nuint j = 0; j < (nuint)end; j += (nuint)width)
        {
            s = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a0, j), Vector.LoadUnsafe(ref x0, j), s);
        }

        var total = Vector.Sum(s);
        for (var j = end; j < row.Length; j++)
        {
            total += row[j] * x[j];
        }

        return total;
    }
}
