namespace DiffQuant.Quantization;

/// <summary>
/// What both ends of a link agree on before the first message, from which each builds its own
/// identical quantizer: a kind ("cube", "dithered", "float64", "float32"), the rate R in bits per
/// coordinate (implied by the kind for floats) and the shared dither seed.
/// </summary>
public readonly record struct QuantizerSpec(string Kind, double Rate, ulong Seed = 0)
{
    public static IReadOnlyList<string> Kinds { get; } = ["cube", "dithered", "float64", "float32"];

    /// <summary>Whether the kind quantizes to a dynamic range (as opposed to sending floats).</summary>
    public bool IsRanged => Kind is "cube" or "dithered";

    public IQuantizer Create(int dimension) => Kind switch
    {
        "cube" => new CubeQuantizer(dimension, Rate),
        "dithered" => new DitheredCubeQuantizer(dimension, Rate, Seed),
        "float64" => new FloatCodec(dimension, 64),
        "float32" => new FloatCodec(dimension, 32),
        _ => throw new DiffQuantException($"unknown quantizer '{Kind}'; choose one of {string.Join(", ", Kinds)}."),
    };

    /// <summary>Normalizes a user's choice: the kind in lower case, the rate of a float kind set by its width.</summary>
    public static QuantizerSpec Parse(string kind, double rate, ulong seed = 0)
    {
        var normalized = kind.Trim().ToLowerInvariant();
        if (!Kinds.Contains(normalized))
        {
            throw new DiffQuantException($"unknown quantizer '{kind}'; choose one of {string.Join(", ", Kinds)}.");
        }

        return normalized switch
        {
            "float64" => new QuantizerSpec(normalized, 64, seed),
            "float32" => new QuantizerSpec(normalized, 32, seed),
            _ => new QuantizerSpec(normalized, rate, seed),
        };
    }
}
