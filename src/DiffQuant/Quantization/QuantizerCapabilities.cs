namespace DiffQuant.Quantization;

/// <summary>The norm of the input for which a quantizer's covering radius holds.</summary>
public enum InputNorm
{
    /// <summary>No worst-case bound: the code is lossless, its error is relative (floats), or it clips (rotated).</summary>
    None,

    /// <summary>‖u‖∞ ≤ r; a range policy that bounds ‖u‖₂ ≤ r satisfies it too, since ‖u‖∞ ≤ ‖u‖₂.</summary>
    Infinity,
}

/// <summary>
/// What a quantizer declares about itself, so that policies and methods can check they fit it:
/// <see cref="NeedsRange"/> (the code depends on a dynamic range r both ends know),
/// <see cref="CarriesScale"/> (the payload holds its own scale, counted in its bits),
/// <see cref="UsesSharedRandomness"/> (both ends draw the same randomness from a shared seed) and
/// <see cref="ImpliedRate"/> (a fixed rate in bits per coordinate, e.g. 64 for binary64; null when R is free) and
/// <see cref="Cell"/> (the lattice its granular cells come from; null for the float codecs and for trellis codes, whose
/// cells in n dimensions are not those of a lattice).
/// </summary>
public sealed record QuantizerCapabilities(InputNorm CoveringNorm, bool NeedsRange, bool CarriesScale, bool UsesSharedRandomness, double? ImpliedRate, ILattice? Cell = null)
{
    /// <summary>Whether a range-dependent worst-case error bound holds (what the worst-case range schedules are built on).</summary>
    public bool HasCoveringRadius => CoveringNorm != InputNorm.None;
}
