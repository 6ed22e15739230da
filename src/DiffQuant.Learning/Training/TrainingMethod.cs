namespace DiffQuant.Learning.Training;

/// <summary>The compressor family a training method sends its gradients with.</summary>
public enum CompressorKind
{
    /// <summary>Full precision binary32 (plain distributed SGD).</summary>
    Float32,
    Qsgd,
    TernGrad,
    Sign,
    TopK,

    /// <summary>Top-k with one sign bit per kept value and one shared scale.</summary>
    TopKSign,
    RandomK,

    /// <summary>DQ-SGD: QSGD whose bits per coordinate B_n the worker chooses per step (sent in 4 bits).</summary>
    DynamicQsgd,

    /// <summary>The core's rotated gain–shape code at B bits per coordinate (after a binary32 RMS reference).</summary>
    Rotated,

    /// <summary>The rotated code with range-coded steps at B bits per coordinate (after a binary32 RMS reference).</summary>
    RotatedEntropyCoded,

    /// <summary>The rotated code with E8 lattice blocks at B bits per coordinate (after a binary32 RMS reference).</summary>
    E8,

    /// <summary>The rotated code with D8 lattice blocks at B bits per coordinate (after a binary32 RMS reference).</summary>
    D8,
}

/// <summary>What a worker feeds back of its past compression errors e = u − q (what was wanted minus what was sent).</summary>
public enum Feedback
{
    None,

    /// <summary>Error feedback: u_t = g(w_t) + e_{t−1}.</summary>
    ErrorFeedback,

    /// <summary>
    /// Differential feedback, the DQ compensation of the foundation: the gradient is taken where the uncompressed
    /// trajectory would be, u_t = g(w_t − η e_{t−1}) + e_{t−1}, so the server's models follow it.
    /// </summary>
    Differential,
}

/// <summary>
/// A training method: a compressor and a feedback. Names are a prefix (<c>ef-</c> error feedback, <c>df-</c> differential
/// feedback, none) and a base: <c>sgd</c> (binary32), <c>qsgd</c>, <c>terngrad</c>, <c>signsgd</c>, <c>topk</c>, <c>topk-sign</c>, <c>randk</c>,
/// <c>dq-sgd</c>, <c>rotated</c>, <c>rotated-ec</c>, <c>e8</c>, <c>d8</c>; <c>dq-sgd-ef</c> and <c>dq-sgd-df</c> also name DQ-SGD with feedback.
/// </summary>
public sealed record TrainingMethod(CompressorKind Compressor, Feedback Feedback)
{
    private static readonly (string Name, CompressorKind Kind)[] Bases =
    [
        ("sgd", CompressorKind.Float32), ("qsgd", CompressorKind.Qsgd), ("terngrad", CompressorKind.TernGrad), ("signsgd", CompressorKind.Sign),
        ("topk", CompressorKind.TopK), ("topk-sign", CompressorKind.TopKSign), ("randk", CompressorKind.RandomK), ("dq-sgd", CompressorKind.DynamicQsgd),
        ("rotated", CompressorKind.Rotated), ("rotated-ec", CompressorKind.RotatedEntropyCoded), ("e8", CompressorKind.E8), ("d8", CompressorKind.D8),
    ];

    public string Name => Feedback switch
    {
        Feedback.ErrorFeedback => "ef-",
        Feedback.Differential => "df-",
        _ => string.Empty,
    } + Bases.First(b => b.Kind == Compressor).Name;

    /// <summary>The methods `dq train --compare` runs.</summary>
    public static IReadOnlyList<TrainingMethod> Standard { get; } =
        [.. new[] { "sgd", "qsgd", "terngrad", "ef-signsgd", "ef-topk", "ef-topk-sign", "df-topk-sign", "randk", "dq-sgd", "ef-dq-sgd", "df-qsgd", "df-topk" }.Select(Parse)];

    public static TrainingMethod Parse(string text)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name is "dq-sgd-ef" or "dq-sgd-df")
        {
            name = name[^2..] + "-dq-sgd";
        }

        var feedback = Feedback.None;
        if (name.StartsWith("ef-", StringComparison.Ordinal) && name != "ef-")
        {
            (feedback, name) = (Feedback.ErrorFeedback, name[3..]);
        }
        else if (name.StartsWith("df-", StringComparison.Ordinal))
        {
            (feedback, name) = (Feedback.Differential, name[3..]);
        }

        foreach (var (baseName, kind) in Bases)
        {
            if (name == baseName)
            {
                if (kind == CompressorKind.Float32 && feedback != Feedback.None)
                {
                    throw new DiffQuantException($"'{text}': full-precision SGD has no compression error to feed back.");
                }

                return new TrainingMethod(kind, feedback);
            }
        }

        throw new DiffQuantException($"unknown training method '{text}'; choose a base among {string.Join(", ", Bases.Select(b => b.Name))}, optionally prefixed by ef- (error feedback) or df- (differential feedback).");
    }
}
