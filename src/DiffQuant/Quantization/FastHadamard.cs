using System.Numerics;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// The orthonormal Walsh–Hadamard transform x ← H x / √P of a power-of-two length P, in place, in O(P log P):
/// log2 P butterfly passes (a, b) → (a + b, a − b). Passes whose butterflies stay inside a block of
/// <see cref="BlockLength"/> values run block by block, so a long vector goes through memory once for them rather
/// than once a pass. H/√P is symmetric and orthogonal: the transform is its own inverse.
/// </summary>
public static class FastHadamard
{
    /// <summary>Values a cache-resident block holds (16 KB of binary64).</summary>
    public const int BlockLength = 2048;

    /// <summary>Transforms <paramref name="x"/> (length a power of two, or 0); <paramref name="scalar"/> forces the portable path.</summary>
    public static void Transform(Span<double> x, bool scalar = false)
    {
        var p = x.Length;
        if (p <= 1)
        {
            return;
        }

        if (!BitOperations.IsPow2(p))
        {
            Guard.Throw($"a Hadamard transform needs a power-of-two length, got {p}.");
        }

        var simd = !scalar && Vector256.IsHardwareAccelerated;
        var block = Math.Min(p, BlockLength);
        for (var start = 0; start < p; start += block)
        {
            var part = x.Slice(start, block);
            for (var h = 1; h < block; h <<= 1)
            {
                Pass(part, h, simd);
            }
        }

        for (var h = block; h < p; h <<= 1)
        {
            Pass(x, h, simd);
        }

        var norm = 1 / Math.Sqrt(p);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, norm, x);
    }

    /// <summary>One butterfly pass of half-width <paramref name="h"/> over the whole span.</summary>
    private static void Pass(Span<double> x, int h, bool simd)
    {
        var width = Vector256<double>.Count;
        for (var i = 0; i < x.Length; i += 2 * h)
        {
            var low = x.Slice(i, h);
            var high = x.Slice(i + h, h);
            var j = 0;
            if (simd && h >= width)
            {
                for (; j <= h - width; j += width)
                {
                    var a = Vector256.Create<double>(low[j..]);
                    var b = Vector256.Create<double>(high[j..]);
                    (a + b).CopyTo(low[j..]);
                    (a - b).CopyTo(high[j..]);
                }
            }

            for (; j < h; j++)
            {
                var (a, b) = (low[j], high[j]);
                low[j] = a + b;
                high[j] = a - b;
            }
        }
    }
}
