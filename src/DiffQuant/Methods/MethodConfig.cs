using DiffQuant.Quantization;

namespace DiffQuant.Methods;

/// <summary>
/// What worker and server agree on before they talk: the method, the quantizer, the dimension and any
/// tuning overrides. None of it is information about the problem instance, which reaches the server
/// only through the setup message.
/// </summary>
public sealed record MethodConfig
{
    public required MethodSpec Method { get; init; }

    public required QuantizerSpec Quantizer { get; init; }

    public required int Dimension { get; init; }

    /// <summary>η override; null for the classical tuning from L and μ.</summary>
    public double? StepSize { get; init; }

    /// <summary>γ override; null for the classical tuning from L and μ.</summary>
    public double? Gamma { get; init; }

    /// <summary>Checks the quantizer's parameters and that the method and quantizer fit together.</summary>
    public void Validate()
    {
        if (Dimension <= 0)
        {
            Guard.Throw($"the dimension must be positive, got {Dimension}.");
        }

        Quantizer.Create(Dimension);
        if (Method.Compression == Compression.None && Quantizer.IsRanged)
        {
            Guard.Throw($"{Method.Name} sends full-precision floats; use quantizer float64 or float32, or nq-/dq- methods to quantize.");
        }

        if (Method.Compression != Compression.None && !Quantizer.IsRanged)
        {
            Guard.Throw($"{Method.Name} needs a ranged quantizer (cube or dithered), not {Quantizer.Kind}.");
        }
    }
}
