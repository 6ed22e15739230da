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
/// binary32, then for each coordinate ℓ_i = ⌊s|g_i|/‖g_B‖ + U_i⌋ with U_i shared (<see cref="SharedUniform"/>), so
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
            for (var j = 0; j < bucket.Length; j++)
            {
                var i = start + j;
                var level = 0;
                if (norm > 0)
                {
                    var scaled = Levels * (double)Math.Abs(bucket[j]) / norm;
                    level = Math.Min(Levels, (int)Math.Floor(scaled + SharedUniform.Draw(context, i)));
                }

                var negative = bucket[j] < 0;
                PutLevel(ref packer, writer, level, negative);
                decoded[i] = Value(norm, level, negative);
            }
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        for (var start = 0; start < Dimension; start += BucketSize)
        {
            var norm = BitConverter.UInt32BitsToSingle((uint)reader.Read(32));
            var end = Math.Min(Dimension, start + BucketSize);
            for (var i = start; i < end; i++)
            {
                int level;
                if (Coding == LevelCoding.Fixed)
                {
                    level = (int)reader.Read(_levelBits);
                }
                else
                {
                    level = EliasGamma.Read(ref reader) - 1;
                }

                if (level > Levels)
                {
                    Guard.Throw($"QSGD message: level {level} at coordinate {i} exceeds s = {Levels}.");
                }

                var negative = (Coding == LevelCoding.Fixed || level > 0) && reader.Read(1) == 1;
                decoded[i] = Value(norm, level, negative);
            }
        }
    }

    private void PutLevel(ref FieldPacker packer, BitWriter writer, int level, bool negative)
    {
        if (Coding == LevelCoding.Fixed)
        {
            packer.Put(writer, (ulong)level, _levelBits);
            packer.Put(writer, negative ? 1UL : 0UL, 1);
            return;
        }

        EliasGamma.Put(ref packer, writer, level + 1);
        if (level > 0)
        {
            packer.Put(writer, negative ? 1UL : 0UL, 1);
        }
    }

    private float Value(float norm, int level, bool negative)
    {
        var magnitude = norm * level / Levels;
        return negative ? -magnitude : magnitude;
    }
}
