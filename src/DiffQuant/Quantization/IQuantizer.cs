using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// A fixed-rate vector quantizer for ℝⁿ: encodes u into at most <see cref="BudgetBits"/> bits and
/// decodes those bits to q = Q(u). Both sides must hold equal instances (same n, rate and seed);
/// the step arguments index shared randomness, never information about the problem.
/// </summary>
public interface IQuantizer
{
    /// <summary>A short name, e.g. "cube".</summary>
    string Name { get; }

    /// <summary>n, the length of the vectors quantized.</summary>
    int Dimension { get; }

    /// <summary>R, bits per coordinate (fractional allowed).</summary>
    double Rate { get; }

    /// <summary>floor(n·R): the most bits one encoded vector occupies.</summary>
    long BudgetBits { get; }

    /// <summary>Whether the code depends on a dynamic range r (false for full-precision floats).</summary>
    bool UsesRange { get; }

    /// <summary>
    /// ρ = CoveringRadius(r) / (r·2^−R), the covering efficiency relative to an ideal n·R-bit
    /// quantizer of the ball of radius r; √n for the cube at integer R; NaN where undefined.
    /// </summary>
    double CoveringEfficiency { get; }

    /// <summary>
    /// The ℓ2 covering radius: ‖Q(u) − u‖₂ ≤ CoveringRadius(r) for every u with ‖u‖∞ ≤ r, in the
    /// units of u. Zero for lossless codecs; NaN where no such bound holds.
    /// </summary>
    double CoveringRadius(double range);

    /// <summary>
    /// The ℓ∞ covering radius: max_i |Q(u)_i − u_i| for every u with ‖u‖∞ ≤ r, in the units of u. Zero for
    /// lossless codecs; NaN where no such bound holds.
    /// </summary>
    double CoordinateErrorBound(double range);

    /// <summary>
    /// Writes the code of <paramref name="u"/> and stores the decoder's output in <paramref name="q"/>
    /// (bit-identical to what <see cref="Decode"/> returns). Returns the number of coordinates that
    /// fell outside the range and were saturated (overloads).
    /// </summary>
    int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q);

    /// <summary>Reads one code written by <see cref="Encode"/> and writes q.</summary>
    void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q);
}
