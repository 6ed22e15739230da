using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DiffQuant.Learning.Models;

/// <summary>
/// The binary32 matrix kernels of the models, row-major throughout, each with a forceable scalar reference
/// (<c>scalar: true</c>) that the vector paths are tested against.
/// </summary>
public static class FloatKernels
{
    /// <summary>
    /// C = A Bᵀ: C_ij = ⟨a_i, b_j⟩ for A (rows × k), B (columns × k), C (rows × columns); rows·columns·k multiply-adds.
    /// The vector path takes four rows of B at a time so each load of a_i feeds four multiply-adds.
    /// </summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, Span<float> c, int columns, bool scalar = false)
    {
        var rows = c.Length / Math.Max(1, columns);
        Guard.SameLength(c.Length, rows * columns, "C (rows × columns)");
        Guard.SameLength(a.Length, rows * k, "A (rows × k)");
        Guard.SameLength(b.Length, columns * k, "B (columns × k)");
        var vector = !scalar && Vector.IsHardwareAccelerated && k >= Vector<float>.Count;
        for (var i = 0; i < rows; i++)
        {
            var ai = a.Slice(i * k, k);
            var ci = c.Slice(i * columns, columns);
            var j = 0;
            if (vector)
            {
                for (; j + 4 <= columns; j += 4)
                {
                    FourDots(ai, b.Slice(j * k, 4 * k), k, ci.Slice(j, 4));
                }
            }

            for (; j < columns; j++)
            {
                ci[j] = vector ? TensorPrimitives.Dot(ai, b.Slice(j * k, k)) : ReferenceDot(ai, b.Slice(j * k, k));
            }
        }
    }

    /// <summary>C ← C + Aᵀ B for A (rows × m), B (rows × k), C (m × k): rows·m·k multiply-adds, one row of C at a time.</summary>
    public static void AddTransposedProduct(ReadOnlySpan<float> a, int m, ReadOnlySpan<float> b, int k, Span<float> c, bool scalar = false)
    {
        var rows = a.Length / Math.Max(1, m);
        Guard.SameLength(a.Length, rows * m, "A (rows × m)");
        Guard.SameLength(b.Length, rows * k, "B (rows × k)");
        Guard.SameLength(c.Length, m * k, "C (m × k)");
        for (var i = 0; i < m; i++)
        {
            var ci = c.Slice(i * k, k);
            for (var t = 0; t < rows; t++)
            {
                var weight = a[(t * m) + i];
                if (weight == 0)
                {
                    continue;
                }

                var bt = b.Slice(t * k, k);
                if (scalar)
                {
                    for (var j = 0; j < k; j++)
                    {
                        ci[j] += weight * bt[j];
                    }
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(bt, weight, ci, ci);
                }
            }
        }
    }

    /// <summary>C = A B for A (rows × m), B (m × k), C (rows × k): each row of C a sum of rows of B.</summary>
    public static void Multiply(ReadOnlySpan<float> a, int m, ReadOnlySpan<float> b, int k, Span<float> c, bool scalar = false)
    {
        var rows = a.Length / Math.Max(1, m);
        Guard.SameLength(c.Length, rows * k, "C (rows × k)");
        c.Clear();
        for (var t = 0; t < rows; t++)
        {
            var ct = c.Slice(t * k, k);
            for (var i = 0; i < m; i++)
            {
                var weight = a[(t * m) + i];
                var bi = b.Slice(i * k, k);
                if (scalar)
                {
                    for (var j = 0; j < k; j++)
                    {
                        ct[j] += weight * bi[j];
                    }
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(bi, weight, ct, ct);
                }
            }
        }
    }

    private static float ReferenceDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    private static void FourDots(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, Span<float> c)
    {
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        var width = Vector<float>.Count;
        var end = k - (k % width);
        var (r1, r2, r3) = ((nuint)k, (nuint)(2 * k), (nuint)(3 * k));
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (nuint j = 0; j < (nuint)end; j += (nuint)width)
        {
            var av = Vector.LoadUnsafe(ref a0, j);
            s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref b0, j), av, s0);
            s1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref b0, r1 + j), av, s1);
            s2 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref b0, r2 + j), av, s2);
            s3 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref b0, r3 + j), av, s3);
        }

        var (t0, t1, t2, t3) = (Vector.Sum(s0), Vector.Sum(s1), Vector.Sum(s2), Vector.Sum(s3));
        for (var j = end; j < k; j++)
        {
            t0 += b[j] * a[j];
            t1 += b[k + j] * a[j];
            t2 += b[(2 * k) + j] * a[j];
            t3 += b[(3 * k) + j] * a[j];
        }

        (c[0], c[1], c[2], c[3]) = (t0, t1, t2, t3);
    }
}
