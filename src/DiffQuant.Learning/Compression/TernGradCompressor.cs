using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// TernGrad (Wen et al., 2017): the scale s = max|g_i| as binary32, then t_i = sgn(g_i)·b_i with b_i = 1 when
/// U_i &lt; |g_i|/s (U_i from the message's stream, <see cref="SharedUniform.Stream"/>), so the decoded s·t_i is unbiased. Trits are packed five to a byte (3⁵ = 243 ≤ 256):
/// 1.6 bits a coordinate.
/// </summary>
public sealed class TernGradCompressor(int dimension) : ICompressor
{
    private const int TritsPerByte = 5;

    public string Name => "terngrad";

    public int Dimension { get; } = dimension;

    public long MaxBits => 32 + (8L * ((Dimension + TritsPerByte - 1) / TritsPerByte));

    /// <summary>ω = √d − 1: E‖C(g)‖² = ‖g‖∞‖g‖₁ ≤ √d‖g‖².</summary>
    public double Variance => Math.Sqrt(Dimension) - 1;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        var scale = g.IsEmpty ? 0f : Math.Abs(TensorPrimitives.MaxMagnitude(g));
        if (!float.IsFinite(scale))
        {
            Guard.Throw($"TernGrad input is not finite (largest magnitude {scale}).");
        }

        writer.WriteSingle(scale);
        var random = SharedUniform.Stream(context);
        var packer = default(FieldPacker);
        for (var start = 0; start < Dimension; start += TritsPerByte)
        {
            var group = 0;
            var end = Math.Min(Dimension, start + TritsPerByte);
            for (var i = end - 1; i >= start; i--)
            {
                var trit = scale > 0 && random.NextOpenUnit() < Math.Abs(g[i]) / scale ? (g[i] < 0 ? -1 : 1) : 0;
                decoded[i] = trit * scale;
                group = (group * 3) + trit + 1;
            }

            packer.Put(writer, (ulong)group, 8);
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        var scale = reader.ReadSingle();
        for (var start = 0; start < Dimension; start += TritsPerByte)
        {
            var group = (int)reader.Read(8);
            if (group >= 243)
            {
                Guard.Throw($"TernGrad message: byte {group} at coordinate {start} is not five trits.");
            }

            var end = Math.Min(Dimension, start + TritsPerByte);
            for (var i = start; i < end; i++)
            {
                decoded[i] = ((group % 3) - 1) * scale;
                group /= 3;
            }
        }
    }
}
