namespace DiffQuant.Quantization;

/// <summary>
/// What both ends of a link agree on before the first message, from which each builds its own identical
/// quantizer: a registered kind, the rate R in bits per coordinate (implied by the kind for floats) and
/// the shared seed.
/// </summary>
public readonly record struct QuantizerSpec(string Kind, double Rate, ulong Seed = 0)
{
    /// <summary>binary64 floats: the lossless default of the downlink.</summary>
    public static QuantizerSpec Float64 => new("float64", 64);

    /// <summary>The registered kinds.</summary>
    public static IReadOnlyList<string> Kinds => QuantizerRegistry.Names;

    public QuantizerCapabilities Capabilities => QuantizerRegistry.Find(Kind).Capabilities;

    /// <summary>Whether the kind quantizes to a dynamic range (as opposed to sending floats).</summary>
    public bool IsRanged => Capabilities.NeedsRange;

    public IQuantizer Create(int dimension) => QuantizerRegistry.Find(Kind).Create(new QuantizerParameters(dimension, Rate, Seed));

    /// <summary>The same quantizer at another rate (a worker's allocated R_k) or with another seed.</summary>
    public QuantizerSpec At(double rate) => Capabilities.ImpliedRate is null ? this with { Rate = rate } : this;

    /// <summary>Normalizes a user's choice: the kind as registered, the rate of a fixed-rate kind set by it.</summary>
    public static QuantizerSpec Parse(string kind, double rate, ulong seed = 0)
    {
        var registration = QuantizerRegistry.Find(kind);
        return new QuantizerSpec(registration.Name, registration.Capabilities.ImpliedRate ?? rate, seed);
    }
}
