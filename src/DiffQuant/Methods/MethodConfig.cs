using DiffQuant.Quantization;
using DiffQuant.Ranges;

namespace DiffQuant.Methods;

/// <summary>
/// What worker and server agree on before they talk: the method, the quantizers of both directions, the
/// dimension, the range policy, the number of workers and how they share the rate, the server's mode and
/// any tuning overrides. None of it is information about the problem instance, which reaches the server
/// only through the setup messages. Defaults live here and nowhere else.
/// </summary>
public sealed record MethodConfig
{
    public const RangePolicyKind DefaultRange = RangePolicyKind.WorstCase;
    public const int DefaultWorkers = 1;
    public const RateAllocationKind DefaultAllocation = RateAllocationKind.Equal;

    public required MethodSpec Method { get; init; }

    /// <summary>The uplink quantizer at the per-worker rate R.</summary>
    public required QuantizerSpec Quantizer { get; init; }

    public required int Dimension { get; init; }

    /// <summary>η override; null for the classical tuning from the setups.</summary>
    public double? StepSize { get; init; }

    /// <summary>γ override; null for the classical tuning from the setups.</summary>
    public double? Gamma { get; init; }

    public RangePolicyKind Range { get; init; } = DefaultRange;

    /// <summary>How each link's rate rises over its first messages (<see cref="RateRamp"/>; none by default).</summary>
    public RateRamp Ramp { get; init; } = new(RateRamp.DefaultBits);

    /// <summary>The codec of the iterates the server sends: binary64 (lossless, the default) or binary32.</summary>
    public QuantizerSpec Downlink { get; init; } = QuantizerSpec.Float64;

    /// <summary>What the server sends each round: the iterate in <see cref="Downlink"/>, or the other workers' messages.</summary>
    public DownlinkContent DownlinkContent { get; init; } = DownlinkContent.Iterate;

    /// <summary>K, the number of workers; f = Σ_k f_k.</summary>
    public int Workers { get; init; } = DefaultWorkers;

    public RateAllocationKind Allocation { get; init; } = DefaultAllocation;

    public ServerMode Mode { get; init; } = ServerMode.Synchronous;

    /// <summary>
    /// Whether each worker quantizes against a shift h_k both ends keep (the change of ∇f_k instead of ∇f_k):
    /// with several workers ∇f_k(x*) ≠ 0, so a range that shrinks to zero could not hold ∇f_k itself.
    /// </summary>
    public bool Shifted => Workers > 1;

    /// <summary>Checks every part and that they fit together; a clear error names the option at fault.</summary>
    public void Validate()
    {
        if (Dimension <= 0)
        {
            Guard.Throw($"the dimension must be positive, got {Dimension}.");
        }

        if (Workers < 1)
        {
            Guard.Throw($"--workers must be at least 1, got {Workers}.");
        }

        if (Mode.MaxStaleness < 0)
        {
            Guard.Throw($"--staleness must be non-negative, got {Mode.MaxStaleness}.");
        }

        Quantizer.Create(Dimension);
        Ramp.Validate();
        var quantizes = Method.Compensation.Quantizes;
        if (!Ramp.IsConstant)
        {
            if (!quantizes)
            {
                Guard.Throw($"--ramp lowers the rate of a quantizer's first messages; {Method.Name} sends full-precision floats.");
            }

            if (Range != RangePolicyKind.Adaptive)
            {
                Guard.Throw($"--ramp needs --range adaptive: the {RangePolicyNames.Name(Range)} schedule bounds every message at the fixed rate R.");
            }

            Quantizer.At(Ramp.LowestRate(Quantizer.Rate)).Create(Dimension);
        }

        if (!quantizes && Quantizer.IsRanged)
        {
            Guard.Throw($"{Method.Name} sends full-precision floats; use quantizer float64 or float32, or nq-/dq-/ef- methods to quantize.");
        }

        if (quantizes && !Quantizer.IsRanged)
        {
            Guard.Throw($"{Method.Name} needs a ranged quantizer ({string.Join(" or ", QuantizerRegistry.Names.Where(n => QuantizerRegistry.Find(n).Capabilities.NeedsRange))}), not {Quantizer.Kind}.");
        }

        if (Downlink.IsRanged)
        {
            Guard.Throw($"--downlink must be a float codec (float64 or float32), got {Downlink.Kind}.");
        }

        Downlink.Create(Dimension);
        if (DownlinkContent == DownlinkContent.Relay && Mode.Asynchronous)
        {
            Guard.Throw("--downlink relay needs synchronous rounds (--mode sync): an asynchronous worker would need every arrival relayed in order.");
        }

        if (DownlinkContent == DownlinkContent.Relay && Downlink.Kind != QuantizerSpec.Float64.Kind)
        {
            Guard.Throw($"--downlink relay sends x̂_0 once as float64 (every replica must start from the server's exact x̂_0), not {Downlink.Kind}.");
        }
        if (Workers > 1 && Method.Momentum != Momentum.None)
        {
            Guard.Throw($"{Method.Name} with {Workers} workers is not supported: several workers run GD methods (gd, nq-gd, dq-gd, ef-gd).");
        }

        if (Allocation != RateAllocationKind.Equal && !quantizes)
        {
            Guard.Throw($"--allocation {RateAllocation.Name(Allocation)} shares bits among quantizing workers; {Method.Name} sends floats.");
        }

        RangePolicies.Validate(this);
    }
}
