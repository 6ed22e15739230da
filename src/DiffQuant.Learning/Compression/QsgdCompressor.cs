using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>How QSGD writes each coordinate's level ℓ ∈ [0, s].</summary>
public enum LevelCoding
{
    /// <summary>⌈log2(s+1)⌉ bits per level, then a sign bit.</summary>
    Fixed,

    /// <summary>Elias gamma of ℓ + 1 (1 bit for ℓ = 0, 3 bits for ℓ = 1 or 2, …), then a sign bit when ℓ &gt; 0.</summary>
    Elias,
}

/// <summary>
/// QSGD (Alistarh et al., 2017) with s levels: per bucket of <see cref="BucketSize"/> coordinates the norm ‖g_B‖₂ as
/// binary32, then for each coordinate ℓ_i = ⌊s|g_i|/‖g_B‖ + U_i⌋ with U_i from the message's stream
/// (<see cref="SharedUniform.Stream"/>, two 32-bit uniforms per 64-bit draw; only the sender draws), so
/// E[ℓ_i] = s|g_i|/‖g_B‖ and the decoded ‖g_B‖·sgn(g_i)·ℓ_i/s is unbiased. With s = 2^(B−1) − 1 and fixed coding a
/// coordinate takes B bits (DQ-SGD's quantizer).
/// </summary>
public sealed class QsgdCompressor : ICompressor
{
    private readonly int _levelBits;

    public QsgdCompressor(int dimension, int levels, LevelCoding coding = LevelCoding.Fixed, int? bucketSize = null)
    {
        if (levels < 1 || levels > (1 << 24))
        {
            Guard.Throw($"QSGD needs 1 to 2^24 levels, got {levels}.");
        }

        if (bucketSize is <= 0)
        {
            Guard.Throw($"the bucket size must be positive, got {bucketSize}.");
        }

        Dimension = dimension;
        Levels = levels;
        Coding = coding;
        BucketSize = Math.Max(1, Math.Min(bucketSize ?? dimension, Math.Max(dimension, 1)));
        _levelBits = BitsFor(levels);
    }

    public string Name => $"qsgd(s={Levels}{(Coding == LevelCoding.Elias ? ", elias" : string.Empty)}{(BucketSize < Dimension ? $", bucket={BucketSize}" : string.Empty)})";

    public int Dimension { get; }

    /// <summary>s, the levels above zero.</summary>
    public int Levels { get; }

    public LevelCoding Coding { get; }

    public int BucketSize { get; }

    /// <summary>Buckets × 32 norm bits + per coordinate the longest level code and a sign.</summary>
    public long MaxBits => (32L * Buckets) + ((long)Dimension * (1 + (Coding == LevelCoding.Fixed ? _levelBits : (2 * BitsFor(Levels + 1)) - 1)));

    /// <summary>ω = min(b/s², √b/s) for buckets of b coordinates (Alistarh et al., Lemma 3.1).</summary>
    public double Variance => Math.Min((double)BucketSize / ((double)Levels * Levels), Math.Sqrt(BucketSize) / Levels);

    private int Buckets => (Dimension + BucketSize - 1) / BucketSize;

    /// <summary>⌈log2(v + 1)⌉: the bits of a number in [0, v].</summary>
    public static int BitsFor(int v) => 32 - int.LeadingZeroCount(v);

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        var random = SharedUniform.Stream(context);
        var packer = default(FieldPacker);
        for (var start = 0; start < Dimension; start += BucketSize)
        {
            var bucket = g.Slice(start, Math.Min(BucketSize, Dimension - start));
            var norm = TensorPrimitives.Norm(bucket);
            if (!float.IsFinite(norm))
            {
                Guard.Throw($"QSGD input is not finite (bucket at {start} has norm {norm}).");
            }

            packer.Put(writer, BitConverter.SingleToUInt32Bits(norm), 32);
            var perUnit = norm > 0 ? Levels / (double)norm : 0;
            var step = norm / Levels;
            var fieldBits = _levelBits + 1;
            ulong draws = 0;
            for (var j = 0; j < bucket.Length; j++)
            {
                // Two 32-bit uniforms from each 64-bit draw: U = (u + ½)·2⁻³².
                draws = (j & 1) == 0 ? random.Next() : draws << 32;
                var uniform = ((draws >> 32) + 0.5) * (1.0 / (1UL << 32));
                var value = bucket[j];
                var level = Math.Min(Levels, (int)((Math.Abs(value) * perUnit) + uniform));
                var sign = value < 0 ? 1u : 0u;
                if (Coding == LevelCoding.Fixed)
                {
                    // The level and then its sign, as one field.
                    packer.Put(writer, ((ulong)level << 1) | sign, fieldBits);
                }
                else
                {
                    PutLevel(ref packer, writer, level, sign == 1);
                }

                decoded[start + j] = Signed(level * step, sign);
            }
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        for (var start = 0; start < Dimension; start += BucketSize)
        {
            var norm = BitConverter.UInt32BitsToSingle((uint)reader.Read(32));
            var step = norm / Levels;
            var end = Math.Min(Dimension, start + BucketSize);
            if (Coding == LevelCoding.Fixed)
            {
                var unpacker = new FieldUnpacker((long)(end - start) * (_levelBits + 1));
                for (var i = start; i < end; i++)
                {
                    var field = unpacker.Take(ref reader, _levelBits + 1);
                    var level = (int)(field >> 1);
                    if (level > Levels)
                    {
                        Guard.Throw($"QSGD message: level {level} at coordinate {i} exceeds s = {Levels}.");
                    }

                    decoded[i] = Signed(level * step, (uint)field & 1);
                }

                continue;
            }

            for (var i = start; i < end; i++)
            {
                var level = EliasGamma.Read(ref reader) - 1;
                if (level > Levels)
                {
                    Guard.Throw($"QSGD message: level {level} at coordinate {i} exceeds s = {Levels}.");
                }

                var negative = level > 0 && reader.Read(1) == 1;
                var magnitude = level * step;
                decoded[i] = negative ? -magnitude : magnitude;
            }
        }
    }

    /// <summary>magnitude with the sign bit <paramref name="sign"/> set directly (no branch on random signs).</summary>
    private static float Signed(float magnitude, uint sign) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(magnitude) | (sign << 31));

    private static void PutLevel(ref FieldPacker packer, BitWriter writer, int level, bool negative)
    {
        EliasGamma.Put(ref packer, writer, level + 1);
        if (level > 0)
        {
            packer.Put(writer, negative ? 1UL : 0UL, 1);
        }
    }
}
