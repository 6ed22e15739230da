using System.Numerics;
using System.Runtime.InteropServices;

namespace DiffQuant.LinearAlgebra;

/// <summary>
/// y = A x for a dense row-major A (y.Length rows × <c>columns</c>): y_i = Σ_j A_ij x_j, rows·columns
/// multiply-adds. The vector path takes four rows at a time, so each load of x feeds four fused
/// multiply-adds and each row's sum is reduced once; <c>scalar</c> forces the reference loop it is tested against.
/// </summary>
public static class DenseKernels
{
    private const int RowBlock = 4;

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
