namespace DiffQuant.Learning.Training;

/// <summary>
/// A distributed training run: W workers each hold a contiguous shard of the training set after a seeded shuffle;
/// each step every worker sends a compressed mini-batch gradient, the server averages the decoded ones, steps
/// w ← w − η·mean and sends the model down as binary32. Defaults are the standard setting.
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

    /// <summary>η.</summary>
    public double LearningRate { get; init; } = 0.1;

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

    /// <summary>Evaluations of the server's model per epoch (on the test set; the train loss is the workers' batch losses).</summary>
    public int EvaluationsPerEpoch { get; init; } = 4;

    /// <summary>Threads that compute the workers' gradients of a round in parallel (results do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

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

        TrainingMethod.Parse(Method);
    }
}
