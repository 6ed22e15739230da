using DiffQuant.Methods;
using DiffQuant.Ranges;

namespace DiffQuant.Lab;

/// <summary>
/// Bits to accuracy: every run stops at the first iterate with relative error ≤ <see cref="Eps"/>, or when
/// its error has not improved for <see cref="StallWindow"/> iterations, or at <see cref="MaxIterations"/>.
/// Quantized methods sweep <see cref="Rates"/> × <see cref="Quantizers"/> × <see cref="Ranges"/> × <see cref="Ramps"/> (pairs a method
/// refuses, such as a clipping code under a worst-case schedule, are skipped and listed); plain methods send binary32
/// and binary64 floats.
/// </summary>
public readonly record struct BitsOptions
{
    public BitsOptions()
    {
    }

    public int Instances { get; init; } = 20;

    /// <summary>R = 0.5, 0.75, …, 12 (the command line's default spelling is <see cref="DefaultRates"/>).</summary>
    public IReadOnlyList<double> Rates { get; init; } = RateGrid.Parse(DefaultRates);

    public const string DefaultRates = "0.5:12:0.25";

    /// <summary>The ramps C of the quantized methods (<see cref="RateRamp"/>; a ramp needs adaptive ranges, so other pairs skip it): none by default.</summary>
    public IReadOnlyList<double> Ramps { get; init; } = [RateRamp.DefaultBits];

    /// <summary>The paper's nine and the momentum methods with momentum-filtered compensation (dqm-hb, dqm-agd; dqm-gd is dq-gd).</summary>
    public IReadOnlyList<MethodSpec> Methods { get; init; } = [.. MethodSpec.Paper, new(Momentum.HeavyBall, Compensation.MomentumFiltered), new(Momentum.Nesterov, Compensation.MomentumFiltered)];

    /// <summary>The paper's cube, its dithered form, the rotated gain–shape code, its entropy-coded, trellis-coded, E8 and D8 variants.</summary>
    public IReadOnlyList<string> Quantizers { get; init; } = ["cube", "dithered", "rotated", "rotated-ec", "rotated-tcq", "e8", "d8"];

    /// <summary>The guaranteed schedules (the paper's) and backward-adaptive ranges (what the rotated code runs under).</summary>
    public IReadOnlyList<RangePolicyKind> Ranges { get; init; } = [RangePolicyKind.WorstCase, RangePolicyKind.Adaptive];

    public double Eps { get; init; } = 1e-9;

    public long Seed { get; init; } = 1;

    /// <summary>The dithered quantizer's shared seed: independent of the instances, so it says nothing about them.</summary>
    public ulong DitherSeed { get; init; } = 7;

    public int StallWindow { get; init; } = 100;

    public int MaxIterations { get; init; } = 3000;

    public int Threads { get; init; } = Environment.ProcessorCount;
}
