using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>Full precision: every coordinate as IEEE-754 binary32, 32·d bits.</summary>
public sealed class Float32Compressor(int dimension) : ICompressor
{
    public string Name => "float32";

    public int Dimension { get; } = dimension;

    public long MaxBits => 32L * Dimension;

    public double Variance => 0;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        writer.WriteSingles(g);

        g.CopyTo(decoded);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        reader.ReadSingles(decoded);
    }
}
