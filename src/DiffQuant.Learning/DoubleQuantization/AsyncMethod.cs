using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Training;

namespace DiffQuant.Learning.DoubleQuantization;

/// <summary>What an asynchronous variance-reduced method sends up.</summary>
public enum GradientCode
{
    Float32,

    /// <summary>Q_(δ,b) of the correction, b = <see cref="TrainOptions.GradBits"/>.</summary>
    FixedPoint,

    /// <summary>Unbiased random sparsification, then Q_(δ,b) of the kept values (Sparse-AsyLPG).</summary>
    Sparsified,
}

/// <summary>
/// An asynchronous SVRG method of the double-quantization family (Yu, Wu, Huang): what goes up, what comes down
/// (<see cref="ModelCode"/>), server momentum, and the uplink feedback.
/// </summary>
public sealed record AsyncMethod(string Name, GradientCode Up, ModelCode Down, bool Momentum, Feedback Feedback)
{
    /// <summary>Every method, by name.</summary>
    public static IReadOnlyList<AsyncMethod> All { get; } =
    [
        new("svrg", GradientCode.Float32, ModelCode.Float32, false, Feedback.None),
        new("qsvrg", GradientCode.FixedPoint, ModelCode.Float32, false, Feedback.None),
        new("halp", GradientCode.Float32, ModelCode.Snapshot, false, Feedback.None),
        new("asylpg", GradientCode.FixedPoint, ModelCode.Snapshot, false, Feedback.None),
        new("sparse-asylpg", GradientCode.Sparsified, ModelCode.Snapshot, false, Feedback.None),
        new("acc-asylpg", GradientCode.FixedPoint, ModelCode.Snapshot, true, Feedback.None),
        new("df-asylpg", GradientCode.FixedPoint, ModelCode.Differential, false, Feedback.Differential),
    ];

    /// <summary>The methods of the double-quantization comparison, in table order.</summary>
    public static IReadOnlyList<string> Standard { get; } = [.. All.Select(m => m.Name)];

    public static bool IsAsync(string name) => All.Any(m => m.Name == name.Trim().ToLowerInvariant());

    public static AsyncMethod Parse(string name) =>
        All.FirstOrDefault(m => m.Name == name.Trim().ToLowerInvariant())
        ?? throw new DiffQuantException($"unknown asynchronous method '{name}'; choose {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>The uplink compressor of this method under <paramref name="options"/>.</summary>
    public ICompressor Compressor(TrainOptions options, int dimension) => Up switch
    {
        GradientCode.Float32 => new Float32Compressor(dimension),
        GradientCode.FixedPoint => new FixedPointCompressor(dimension, options.GradBits),
        _ => new SparsifiedCompressor(dimension, options.Density, options.GradBits),
    };

    /// <summary>
    /// The factor both ends apply to a fed-back code: 1 without feedback and for the fixed-point code, whose error is at
    /// most δ = ‖u‖∞/s a coordinate, so the fed-back memory stays bounded in practice (its worst-case ω, d/(4s²) for one
    /// block, would scale the code to almost nothing: measured, that run diverges at b = 2); otherwise 1/(1 + ω), which
    /// makes any unbiased code contractive.
    /// </summary>
    public float FeedbackScale(ICompressor compressor) =>
        Feedback == Feedback.None || compressor is FixedPointCompressor ? 1f : (float)(1 / (1 + compressor.Variance));

    /// <summary>The model code: the method's, unless <see cref="TrainOptions.Downlink"/> overrides it.</summary>
    public ModelChannel Channel(TrainOptions options, int dimension) => Compressors.Downlink(options, dimension, Down);
}
