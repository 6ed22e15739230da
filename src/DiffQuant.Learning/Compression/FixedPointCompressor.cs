using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// The low-precision fixed-point quantizer Q_(δ,b) of double quantization (Yu, Wu, Huang): per block of
/// <see cref="BlockSize"/> coordinates the precision δ = max_i |v_i| / s with s = 2^(b−1) − 1, sent as binary32, so
/// the grid {−sδ, …, sδ} (the b-bit two's-complement grid without its lowest point) covers the block; each coordinate
/// ℓ_i = ⌊v_i/δ + U_i⌋ with U_i from the message's stream (only the sender draws), sent as ℓ_i + s in b bits and
/// decoded ℓ_i·δ. E[ℓ_i δ] = v_i (unbiased) and E‖Q(v) − v‖² = δ²·Σ_i f_i(1 − f_i), f_i = frac(v_i/δ), which the
/// sender can compute exactly (<see cref="ExpectedError"/>).
/// </summary>
public sealed class FixedPointCompressor : ICompressor
{
    public const int MinBits = 2;
    public const int MaxBitsPerCoordinate = 16;

    public FixedPointCompressor(int dimension, int bits, int? blockSize = null)
    {
        if (bits is < MinBits or > MaxBitsPerCoordinate)
        {
            Guard.Throw($"a fixed-point code needs {MinBits} to {MaxBitsPerCoordinate} bits per coordinate, got {bits}.");
        }

        if (blockSize is <= 0)
        {
            Guard.Throw($"the block size must be positive, got {blockSize}.");
        }

        Dimension = dimension;
        Bits = bits;
        Steps = (1 << (bits - 1)) - 1;
        BlockSize = Math.Max(1, Math.Min(blockSize ?? dimension, Math.Max(dimension, 1)));
    }

    public string Name => $"fixed-point(b={Bits}{(BlockSize < Dimension ? $", block={BlockSize}" : string.Empty)})";

    public int Dimension { get; }

    /// <summary>b, the bits per coordinate.</summary>
    public int Bits { get; }

    /// <summary>s = 2^(b−1) − 1, the grid points on each side of zero.</summary>
    public int Steps { get; }

    public int BlockSize { get; }

    public int Blocks => (Dimension + BlockSize - 1) / BlockSize;

    public long MaxBits => (32L * Blocks) + ((long)Dimension * Bits);

    /// <summary>ω = B/(4s²) for blocks of B coordinates: δ² ≤ ‖v_B‖²/s² and f(1 − f) ≤ ¼.</summary>
    public double Variance => BlockSize / (4.0 * Steps * Steps);

    /// <summary>E‖Q(v) − v‖² = Σ_blocks δ_B²·Σ_{i∈B} f_i(1 − f_i) of this code on <paramref name="v"/>, exactly.</summary>
    public double ExpectedError(ReadOnlySpan<float> v)
    {
        Guard.SameLength(v.Length, Dimension, "the vector");
        double total = 0;
        for (var start = 0; start < Dimension; start += BlockSize)
        {
            var block = v.Slice(start, Math.Min(BlockSize, Dimension - start));
            var delta = Precision(block);
            if (delta == 0)
            {
                continue;
            }

            double sum = 0;
            var inverse = 1 / delta;
            foreach (var x in block)
            {
                var scaled = x * inverse;
                var fraction = scaled - Math.Floor(scaled);
                sum += fraction * (1 - fraction);
            }

            total += (double)delta * delta * sum;
        }

        return total;
    }

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the vector");
        var random = SharedUniform.Stream(context);
        var packer = default(FieldPacker);
        for (var start = 0; start < Dimension; start += BlockSize)
        {
            var block = g.Slice(start, Math.Min(BlockSize, Dimension - start));
            var delta = Precision(block);
            if (!float.IsFinite(delta))
            {
                Guard.Throw($"fixed-point input is not finite (block at {start}).");
            }

            packer.Put(writer, BitConverter.SingleToUInt32Bits(delta), 32);
            var inverse = delta > 0 ? 1 / (double)delta : 0;
            ulong draws = 0;
            for (var j = 0; j < block.Length; j++)
            {
                // Two 32-bit uniforms from each 64-bit draw: U = (u + ½)·2⁻³².
                draws = (j & 1) == 0 ? random.Next() : draws << 32;
                var uniform = ((draws >> 32) + 0.5) * (1.0 / (1UL << 32));
                var level = Math.Clamp((int)Math.Floor((block[j] * inverse) + uniform), -Steps, Steps);
                packer.Put(writer, (ulong)(level + Steps), Bits);
                decoded[start + j] = level * delta;
            }
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        for (var start = 0; start < Dimension; start += BlockSize)
        {
            var delta = BitConverter.UInt32BitsToSingle((uint)reader.Read(32));
            if (!(delta >= 0) || !float.IsFinite(delta))
            {
                Guard.Throw($"fixed-point message: precision {delta} of the block at {start} is not a finite non-negative number.");
            }

            var end = Math.Min(Dimension, start + BlockSize);
            var unpacker = new FieldUnpacker((long)(end - start) * Bits);
            for (var i = start; i < end; i++)
            {
                var level = (int)unpacker.Take(ref reader, Bits) - Steps;
                if (level > Steps)
                {
                    Guard.Throw($"fixed-point message: level {level} at coordinate {i} exceeds s = {Steps}.");
                }

                decoded[i] = level * delta;
            }
        }
    }

    /// <summary>δ = max|v_i| / s: the finest precision whose grid covers the block.</summary>
    private float Precision(ReadOnlySpan<float> block) => block.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(block)) / Steps;
}
