using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Scaled signSGD (Bernstein et al., 2018; with error feedback, Karimireddy et al., 2019): the scale ‖g‖₁/d as binary32,
/// then one bit per coordinate; decodes to (‖g‖₁/d)·sgn(g_i), 1 bit a coordinate plus 32. Zero is sent as +.
/// </summary>
public sealed class SignCompressor(int dimension) : ICompressor
{
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
        var packer = default(FieldPacker);
        for (var i = 0; i < Dimension; i++)
        {
            var negative = g[i] < 0;
            packer.Put(writer, negative ? 1UL : 0UL, 1);
            decoded[i] = negative ? -scale : scale;
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        var scale = reader.ReadSingle();
        var unpacker = new FieldUnpacker(Dimension);
        for (var i = 0; i < Dimension; i++)
        {
            decoded[i] = unpacker.Take(ref reader, 1) == 1 ? -scale : scale;
        }
    }
}
