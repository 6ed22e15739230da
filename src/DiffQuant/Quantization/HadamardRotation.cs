using System.Numerics;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// Random orthogonal maps of ℝⁿ both ends draw from a shared seed, a fresh one for each step:
/// Θ_t = H_B S_B H_A S_A, where S_A and S_B flip the signs of random coordinates (64 signs from each 64 random bits)
/// and H_A and H_B are orthonormal Hadamard transforms (<see cref="FastHadamard"/>) of the first and the last P
/// coordinates, P the largest power of two ≤ n (one block when n is a power of two). The two overlapping blocks cover
/// every coordinate without padding, so Θ_t keeps n and ‖u‖₂ and costs O(n log n). After it the coordinates of any
/// fixed u are near-Gaussian with variance ‖u‖²/n. A fresh Θ_t each step matters under error feedback: an error a
/// code left in one coordinate returns in the next input, and the same rotation would put it back in that coordinate.
/// </summary>
public sealed class HadamardRotation(int dimension, ulong seed)
{
    private readonly int _block = dimension == 0 ? 0 : 1 << BitOperations.Log2((uint)dimension);

    public int Dimension => dimension;

    /// <summary>x ← Θ_step x.</summary>
    public void Forward(Span<double> x, long step, bool scalar = false)
    {
        Guard.SameLength(x.Length, dimension, "the rotated vector");
        FlipSigns(x, step, 0, scalar);
        FastHadamard.Transform(x[.._block], scalar);
        if (_block < dimension)
        {
            FlipSigns(x, step, 1, scalar);
            FastHadamard.Transform(x[^_block..], scalar);
        }
    }

    /// <summary>x ← Θ_stepᵀ x (the steps of <see cref="Forward"/> in reverse, each its own inverse).</summary>
    public void Inverse(Span<double> x, long step, bool scalar = false)
    {
        Guard.SameLength(x.Length, dimension, "the rotated vector");
        if (_block < dimension)
        {
            FastHadamard.Transform(x[^_block..], scalar);
            FlipSigns(x, step, 1, scalar);
        }

        FastHadamard.Transform(x[.._block], scalar);
        FlipSigns(x, step, 0, scalar);
    }

    /// <summary>Sign-bit masks of four lanes for each 4-bit pattern (lane k negated when bit k is set).</summary>
    private static readonly Vector256<long>[] LaneMasks = [.. Enumerable.Range(0, 16).Select(m => Vector256.Create(
        (long)((ulong)(m & 1) << 63), (long)((ulong)((m >> 1) & 1) << 63), (long)((ulong)((m >> 2) & 1) << 63), (long)((ulong)((m >> 3) & 1) << 63)))];

    /// <summary>Negates x_i where bit i mod 64 of the (i / 64)-th random word is set: an exact, branch-free sign-bit flip.</summary>
    private void FlipSigns(Span<double> x, long step, int stage, bool scalar)
    {
        var stream = (2 * step) + stage;
        var simd = !scalar && Vector256.IsHardwareAccelerated;
        for (var start = 0; start < x.Length; start += 64)
        {
            var bits = SharedRandom.Bits(seed, stream, start >> 6);
            var end = Math.Min(64, x.Length - start);
            var j = 0;
            if (simd)
            {
                for (; j <= end - 4; j += 4)
                {
                    var lanes = x.Slice(start + j, 4);
                    (Vector256.Create<double>(lanes).AsInt64() ^ LaneMasks[(int)((bits >> j) & 15)]).AsDouble().CopyTo(lanes);
                }
            }

            for (; j < end; j++)
            {
                x[start + j] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x[start + j]) ^ (long)((bits >> j) << 63));
            }
        }
    }
}
