namespace DiffQuant.Learning.Training;

/// <summary>
/// A distributed training run: W workers each hold a contiguous shard of the training set after a seeded shuffle;
/// each step every worker sends a compressed mini-batch gradient, the server averages the decoded ones, steps
/// w ← w − η·mean and sends the model down as binary32. Defaults are the issue's standard setting.
/// </summary>
public readonly record struct TrainOptions
{
    public TrainOptions()
    {
    }

    /// <summary>softmax (L2-regularized multinomial regression) or mlp (d → <see cref="Hidden"/> → C, ReLU).</summary>
    public string Model { get; init; } = "softmax";

    public string Method { get; init; } = "sgd";

    public int Workers { get; init; } = 8;

    public int Epochs { get; init; } = 2;

    /// <summary>Samples per worker per step.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>
    /// η, the step of a synchronous round (the mean of W mini-batch gradients); an asynchronous update, one worker's
    /// mini-batch, steps η/W (<see cref="AsyncStep"/>), so both move the model alike per sample seen.
    /// </summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>η/W, the step of one asynchronous update.</summary>
    public double AsyncStep => LearningRate / Workers;

    /// <summary>λ of the L2 regularizer (softmax regression; it makes the loss strongly convex).</summary>
    public double L2 { get; init; } = 1e-4;

    public int Hidden { get; init; } = 128;

    /// <summary>B, bits per coordinate of QSGD with fixed levels: s = 2^(B−1) − 1 (a sign bit and B − 1 level bits).</summary>
    public int Bits { get; init; } = 4;

    /// <summary>s, QSGD's levels above zero, when set directly; null for s = 2^(<see cref="Bits"/>−1) − 1.</summary>
    public int? Levels { get; init; }

    /// <summary>The s of fixed-rate QSGD under these options.</summary>
    public int QsgdLevels => Levels ?? Compressors.LevelsFor(Bits);

    /// <summary>How QSGD writes its levels: fixed-length, or Elias gamma (short codes for the frequent small levels).</summary>
    public Compression.LevelCoding Coding { get; init; } = Compression.LevelCoding.Fixed;

    /// <summary>QSGD's bucket size (one norm per bucket); null for one bucket of all coordinates.</summary>
    public int? Bucket { get; init; }

    /// <summary>The fraction of coordinates top-k and random-k send.</summary>
    public double Fraction { get; init; } = 0.01;

    /// <summary>C, DQ-SGD's uplink budget for the whole run in bits; null for 1/8 of the full-precision run's.</summary>
    public long? BitsBudget { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>b of the model code down (double quantization; the least bits a read uses).</summary>
    public int ModelBits { get; init; } = 4;

    /// <summary>b of the fixed-point gradient code up (double quantization).</summary>
    public int GradBits { get; init; } = 4;

    /// <summary>μ_q ∈ (0, 1) of the model precision rule E‖Q(v) − v‖² ≤ μ_q‖v‖² (the value the issue suggests).</summary>
    public double ModelPrecision { get; init; } = 0.5;

    /// <summary>Coordinates per model precision δ; null for one δ per read.</summary>
    public int? ModelBlock { get; init; }

    /// <summary>The model code down, overriding the method's; null for the method's own.</summary>
    public Compression.ModelCode? Downlink { get; init; }

    /// <summary>τ, the most updates an asynchronous gradient may be stale; null for 2W.</summary>
    public int? Staleness { get; init; }

    /// <summary>The simulated slowest worker's time per gradient over the fastest's (workers evenly in between).</summary>
    public double Spread { get; init; } = 2;

    /// <summary>How an asynchronous run orders its arrivals: simulated (the default: reproducible from the seed alone), live, or a replay.</summary>
    public ArrivalOrder Arrivals { get; init; } = ArrivalOrder.Simulated;

    /// <summary>β of Acc-AsyLPG's server momentum.</summary>
    public double Momentum { get; init; } = 0.5;

    /// <summary>Expected fraction of coordinates Sparse-AsyLPG keeps.</summary>
    public double Density { get; init; } = 0.25;

    /// <summary>τ under these options.</summary>
    public int MaxStaleness => Staleness ?? (2 * Workers);

    /// <summary>Evaluations of the server's model per epoch (on the test set; the train loss is the workers' batch losses).</summary>
    public int EvaluationsPerEpoch { get; init; } = 4;

    /// <summary>Threads that compute the workers' gradients of a round in parallel (results do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Refuses a name that is neither a synchronous SGD method nor an asynchronous variance-reduced one.</summary>
    public static void CheckMethod(string name)
    {
        if (DoubleQuantization.AsyncMethod.IsAsync(name))
        {
            return;
        }

        try
        {
            TrainingMethod.Parse(name);
        }
        catch (DiffQuantException e) when (e.Message.StartsWith("unknown training method", StringComparison.Ordinal))
        {
            throw new DiffQuantException($"{e.Message.TrimEnd('.')}; or an asynchronous variance-reduced method: {string.Join(", ", DoubleQuantization.AsyncMethod.Standard)}.");
        }
    }

    public void Validate()
    {
        void Positive(double value, string option)
        {
            if (!(value > 0) || !double.IsFinite(value))
            {
                throw new DiffQuantException($"{option} must be positive, got {value}.");
            }
        }

        Positive(Workers, "--workers");
        Positive(Epochs, "--epochs");
        Positive(Batch, "--batch");
        Positive(LearningRate, "--lr");
        Positive(Hidden, "--hidden");
        Positive(Threads, "--threads");
        Positive(EvaluationsPerEpoch, "--evaluations");
        if (!(L2 >= 0) || !double.IsFinite(L2))
        {
            throw new DiffQuantException($"--l2 must be non-negative, got {L2}.");
        }

        if (Bits is < 2 or > 16)
        {
            throw new DiffQuantException($"--bits must lie in 2..16, got {Bits}.");
        }

        foreach (var (bits, option) in new[] { (ModelBits, "--model-bits"), (GradBits, "--grad-bits") })
        {
            if (bits is < 2 or > 16)
            {
                throw new DiffQuantException($"{option} must lie in 2..16, got {bits}.");
            }
        }

        if (!(ModelPrecision > 0 && ModelPrecision < 1))
        {
            // At μ_q ≥ 1 a differential read may err by more than the change it carries, and the copies drift apart.
            throw new DiffQuantException($"--precision μ_q must lie in (0, 1), got {ModelPrecision}.");
        }

        Positive(ModelBlock ?? 1, "--model-block");
        if (!(Spread >= 1) || !double.IsFinite(Spread))
        {
            throw new DiffQuantException($"--spread must be at least 1, got {Spread}.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new DiffQuantException($"--momentum must lie in [0, 1), got {Momentum}.");
        }

        if (!(Density > 0 && Density <= 1))
        {
            throw new DiffQuantException($"--density must lie in (0, 1], got {Density}.");
        }

        if (Arrivals != ArrivalOrder.Simulated && !DoubleQuantization.AsyncMethod.IsAsync(Method))
        {
            throw new DiffQuantException($"--arrivals applies to the asynchronous methods ({string.Join(", ", DoubleQuantization.AsyncMethod.Standard)}); '{Method}' runs synchronous rounds.");
        }

        if (MaxStaleness < Workers - 1)
        {
            throw new DiffQuantException($"--staleness {MaxStaleness} is below W − 1 = {Workers - 1}: with W workers always computing, some gradient is at least W − 1 updates old.");
        }

        if (Levels is < 1 or > (1 << 24))
        {
            throw new DiffQuantException($"--levels must lie in 1..2^24, got {Levels}.");
        }

        if (!(Fraction > 0 && Fraction <= 1))
        {
            throw new DiffQuantException($"--k-fraction must lie in (0, 1], got {Fraction}.");
        }

        if (Bucket is <= 0)
        {
            throw new DiffQuantException($"--bucket must be positive, got {Bucket}.");
        }

        if (BitsBudget is <= 0)
        {
            throw new DiffQuantException($"--bits-budget must be positive, got {BitsBudget}.");
        }

        if (Model is not ("softmax" or "mlp"))
        {
            throw new DiffQuantException($"unknown model '{Model}'; choose softmax or mlp.");
        }

        CheckMethod(Method);
        if (!DoubleQuantization.AsyncMethod.IsAsync(Method))
        {
            if (Downlink == Compression.ModelCode.Snapshot)
            {
                throw new DiffQuantException($"--downlink snapshot needs a variance-reduced method (its snapshot x̃); '{Method}' has none.");
            }
        }
    }
}
