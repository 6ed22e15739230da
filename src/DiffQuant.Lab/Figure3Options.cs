using DiffQuant.Methods;
using DiffQuant.Ranges;

namespace DiffQuant.Lab;

/// <summary>
/// The paper's Fig. 3 experiment. Each run stops at relative error <see cref="Floor"/> (machine
/// precision for these problems), when the error has not improved for <see cref="StallWindow"/>
/// iterations, or at <see cref="MaxIterations"/>; its empirical rate is (‖x̂_T − x*‖/‖x̂_0 − x*‖)^(1/T),
/// clipped at 1.
/// </summary>
public readonly record struct Figure3Options
{
    public Figure3Options()
    {
    }

    public int Instances { get; init; } = 500;

    public IReadOnlyList<double> Rates { get; init; } = [.. Enumerable.Range(1, 12).Select(r => (double)r)];

    public IReadOnlyList<MethodSpec> Methods { get; init; } = [MethodSpec.Parse("gd"), MethodSpec.Parse("nq-gd"), MethodSpec.Parse("dq-gd")];

    /// <summary>The quantizer of the nq-/dq- methods: cube (the paper's) or dithered.</summary>
    public string Quantizer { get; init; } = "cube";

    /// <summary>
    /// The range policies each quantized method runs under (distinct effective ones only): by default the
    /// paper's (what its Fig. 3 ran) and the worst case (what is guaranteed), which differ for NQ-GD alone.
    /// </summary>
    public IReadOnlyList<RangePolicyKind> Ranges { get; init; } = [RangePolicyKind.Paper, RangePolicyKind.WorstCase];

    /// <summary>K: each instance's rows split over this many workers.</summary>
    public int Workers { get; init; } = 1;

    public RateAllocationKind Allocation { get; init; } = RateAllocationKind.Equal;

    public long Seed { get; init; } = 1;

    /// <summary>The dithered quantizer's shared seed: independent of the instances, so it says nothing about them.</summary>
    public ulong DitherSeed { get; init; } = 7;

    public double Floor { get; init; } = 1e-13;

    public int StallWindow { get; init; } = 25;

    public int MaxIterations { get; init; } = 1000;

    public int Threads { get; init; } = Environment.ProcessorCount;
}
