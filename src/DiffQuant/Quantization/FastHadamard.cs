using System.Numerics;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// The orthonormal Walsh–Hadamard transform x ← H x / √P of a power-of-two length P, in place, in O(P log P). The
/// butterfly passes (a, b) → (a + b, a − b) go two at a time (radix 4: four values in, the two passes' sums out), so a
/// long vector crosses memory half as often; passes whose butterflies stay inside a block of <see cref="BlockLength"/>
/// values run block by block, in cache. The SIMD and the scalar paths do the same additions in the same order, so they
/// agree bit for bit (both ends of a link may run either). H/√P is symmetric and orthogonal: its own inverse.
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
            Passes(x.Slice(start, block), 1, block, simd);
        }

        Passes(x, block, p, simd);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, 1 / Math.Sqrt(p), x);
    }

    /// <summary>The passes of half-widths h = <paramref name="from"/>, 2h, … below <paramref name="to"/>, two at a time.</summary>
    private static void Passes(Span<double> x, int from, int to, bool simd)
    {
        var h = from;
        if (h == 1 && to >= 4)
        {
            FirstTwo(x, simd);
            h = 4;
        }

        for (; 4 * h <= to; h *= 4)
        {
            Radix4(x, h, simd);
        }

        if (h < to)
        {
            Radix2(x, h, simd);
        }
    }

    /// <summary>The passes h = 1 and 2 on each four consecutive values (a, b, c, d), within one register.</summary>
    private static void FirstTwo(Span<double> x, bool simd)
    {
        var i = 0;
        if (simd)
        {
            var pairSigns = Vector256.Create(1.0, -1, 1, -1);
            var halfSigns = Vector256.Create(1.0, 1, -1, -1);
            for (; i <= x.Length - 4; i += 4)
            {
                var v = Vector256.Create<double>(x[i..]);
                var s = Vector256.Shuffle(v, Vector256.Create(1L, 0, 3, 2)) + (v * pairSigns); // (b + a, a − b, d + c, c − d)
                (Vector256.Shuffle(s, Vector256.Create(2L, 3, 0, 1)) + (s * halfSigns)).CopyTo(x[i..]);
            }
        }

        for (; i < x.Length; i += 4)
        {
            var (a, b, c, d) = (x[i], x[i + 1], x[i + 2], x[i + 3]);
            var (p0, p1, p2, p3) = (b + a, -b + a, d + c, -d + c);
            (x[i], x[i + 1], x[i + 2], x[i + 3]) = (p2 + p0, p3 + p1, -p2 + p0, -p3 + p1);
        }
    }

    /// <summary>The passes h and 2h at once: (a, b, c, d) at offsets 0, h, 2h, 3h become (a+b)±(c+d) and (a−b)±(c−d).</summary>
    private static void Radix4(Span<double> x, int h, bool simd)
    {
        for (var i = 0; i < x.Length; i += 4 * h)
        {
            var a = x.Slice(i, h);
            var b = x.Slice(i + h, h);
            var c = x.Slice(i + (2 * h), h);
            var d = x.Slice(i + (3 * h), h);
            var j = 0;
            if (simd)
            {
                for (; j <= h - 4; j += 4)
                {
                    var (va, vb, vc, vd) = (Vector256.Create<double>(a[j..]), Vector256.Create<double>(b[j..]), Vector256.Create<double>(c[j..]), Vector256.Create<double>(d[j..]));
                    var (p0, p1, p2, p3) = (va + vb, va - vb, vc + vd, vc - vd);
                    (p0 + p2).CopyTo(a[j..]);
                    (p1 + p3).CopyTo(b[j..]);
                    (p0 - p2).CopyTo(c[j..]);
                    (p1 - p3).CopyTo(d[j..]);
                }
            }

            for (; j < h; j++)
            {
                var (p0, p1, p2, p3) = (a[j] + b[j], a[j] - b[j], c[j] + d[j], c[j] - d[j]);
                (a[j], b[j], c[j], d[j]) = (p0 + p2, p1 + p3, p0 - p2, p1 - p3);
            }
        }
    }

    /// <summary>One pass of half-width h (the last, when the number of passes is odd).</summary>
    private static void Radix2(Span<double> x, int h, bool simd)
    {
        for (var i = 0; i < x.Length; i += 2 * h)
        {
            var low = x.Slice(i, h);
            var high = x.Slice(i + h, h);
            var j = 0;
            if (simd)
            {
                for (; j <= h - 4; j += 4)
                {
                    var (a, b) = (Vector256.Create<double>(low[j..]), Vector256.Create<double>(high[j..]));
                    (a + b).CopyTo(low[j..]);
                    (a - b).CopyTo(high[j..]);
                }
            }

            for (; j < h; j++)
            {
                var (a, b) = (low[j], high[j]);
                (low[j], high[j]) = (a + b, a - b);
            }
        }
    }
}
