using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Scaled signSGD (Bernstein et al., 2018; with error feedback, Karimireddy et al., 2019): the scale ‖g‖₁/d as binary32,
/// then one bit per coordinate (1 for g_i &lt; 0), 64 to a word with coordinate 64w + j at bit j, words written as
/// 64-bit fields (the last one holds the remaining d mod 64 bits); decodes to (‖g‖₁/d)·sgn(g_i), zero as +.
/// 1 bit a coordinate plus 32.
/// </summary>
public sealed class SignCompressor(int dimension) : ICompressor
{
    private const int Word = 64;

    public string Name => "sign";

    public int Dimension { get; } = dimension;

    public long MaxBits => 32 + (long)Dimension;

    public double Variance => 0;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        var scale = Dimension == 0 ? 0f : TensorPrimitives.SumOfMagnitudes(g) / Dimension;
        if (!float.IsFinite(scale))
        {
            Guard.Throw($"sign input is not finite (mean magnitude {scale}).");
        }

        writer.WriteSingle(scale);
        for (var start = 0; start < Dimension; start += Word)
        {
            var count = Math.Min(Word, Dimension - start);
            var word = Signs(g.Slice(start, count));
            writer.Write(word, count);
            Expand(word, scale, decoded.Slice(start, count));
        }
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        var scale = reader.ReadSingle();
        for (var start = 0; start < Dimension; start += Word)
        {
            var count = Math.Min(Word, Dimension - start);
            Expand(reader.Read(count), scale, decoded.Slice(start, count));
        }
    }

    /// <summary>Bit j set where values[j] &lt; 0, eight lanes at a time where the hardware has them.</summary>
    private static ulong Signs(ReadOnlySpan<float> values)
    {
        ulong word = 0;
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + Vector256<float>.Count <= values.Length; j += Vector256<float>.Count)
            {
                var negative = Vector256.LessThan(Vector256.Create(values.Slice(j, Vector256<float>.Count)), Vector256<float>.Zero);
                word |= (ulong)negative.ExtractMostSignificantBits() << j;
            }
        }

        for (; j < values.Length; j++)
        {
            word |= values[j] < 0 ? 1UL << j : 0;
        }

        return word;
    }

    /// <summary>±scale by bit j, setting the sign bit directly: random signs would defeat a branch predictor.</summary>
    private static void Expand(ulong word, float scale, Span<float> into)
    {
        var magnitude = BitConverter.SingleToUInt32Bits(Math.Abs(scale));
        for (var j = 0; j < into.Length; j++)
        {
            into[j] = BitConverter.UInt32BitsToSingle(magnitude | ((uint)(word >> j) << 31));
        }
    }
}
