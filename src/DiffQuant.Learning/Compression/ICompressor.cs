using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// What both ends of a link know about one gradient message without it being sent: the step t and the
/// link's shared seed (for stochastic rounding and random index sets), and the message's level parameter
/// when a schedule both ends run chooses it (DQ-SGD).
/// </summary>
public readonly record struct CompressionContext(long Step, ulong Seed);

/// <summary>
/// A gradient compressor: encodes a binary32 vector g into bits and decodes it. Every bit the receiver could not
/// know is in the payload: norms, scales, levels, signs, indices and lengths. Encode also returns, in
/// <c>decoded</c>, exactly the vector the receiver will decode (what error feedback subtracts).
/// </summary>
public interface ICompressor
{
    string Name { get; }

    int Dimension { get; }

    /// <summary>The most bits one message can take (the link refuses longer ones).</summary>
    long MaxBits { get; }

    /// <summary>
    /// ω of an unbiased compressor, E‖C(g) − g‖² ≤ ω‖g‖²; 0 for a deterministic one. Feedback divides an unbiased
    /// code by 1 + ω, which makes it contractive (E‖g − C(g)/(1+ω)‖² ≤ (ω/(1+ω))‖g‖²), else fed-back errors grow.
    /// </summary>
    double Variance { get; }

    void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded);

    void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded);
}
