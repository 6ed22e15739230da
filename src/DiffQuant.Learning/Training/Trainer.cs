using System.Diagnostics;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.DoubleQuantization;
using DiffQuant.Learning.Models;
using DiffQuant.Problems;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Learning.Training;

/// <summary>Creates worker <paramref name="index"/> of a run, given the shard a local worker would hold.</summary>
public delegate ITrainingWorker WorkerFactory(int index, Dataset shard);

/// <summary>What a run reports while it trains.</summary>
public readonly record struct TrainProgress(int Step, int Steps, TrainPoint? Latest);

/// <summary>
/// Runs distributed training in this process: W <see cref="SgdWorker"/>s and one <see cref="SgdServer"/> through the
/// core's <see cref="Session"/> and measuring <see cref="Link"/>s (the same encode → bytes → decode path a cluster runs),
/// evaluating the server's model on the test set <see cref="TrainOptions.EvaluationsPerEpoch"/> times an epoch.
/// </summary>
public static class Trainer
{
    /// <summary>Binary32 bits of a full-precision gradient coordinate (the compression ratio's reference).</summary>
    private const int FullPrecisionBits = 32;

    public static IModel CreateModel(TrainOptions options, int features, int classes) => options.Model switch
    {
        "softmax" => new SoftmaxRegression(features, classes, options.L2),
        "mlp" => new Mlp(features, options.Hidden, classes),
        _ => throw new DiffQuantException($"unknown model '{options.Model}'; choose softmax or mlp."),
    };

    /// <param name="workers">Creates worker k (e.g. an adapter to a worker on another machine); null for local workers.</param>
    /// <param name="replay">The recorded arrival order of <see cref="ArrivalOrder.Replay"/>.</param>
    public static TrainResult Run(DataSplit data, TrainOptions options, Action<TrainProgress>? progress = null, WorkerFactory? workers = null, IReadOnlyList<int>? replay = null)
    {
        var clock = Stopwatch.StartNew();
        var run = new TrainingRun(data, options, workers, replay);
        while (!run.Done)
        {
            var step = run.Advance();
            progress?.Invoke(step);
        }

        return run.Result(clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// A fresh session of the run <paramref name="options"/> describes (also the target of a snapshot's restore): W workers on
    /// seeded shards, the server holding w_0, and the links sized to the method's longest message. Variance-reduced
    /// methods run asynchronously in the order <see cref="TrainOptions.Arrivals"/> says: of <see cref="SimulatedArrivals"/>
    /// (speeds 1 to <see cref="TrainOptions.Spread"/>, τ), as the gradients arrive, or <paramref name="replay"/>.
    /// </summary>
    public static TrainingSession Build(Dataset train, TrainOptions options, WorkerFactory? workers = null, IReadOnlyList<int>? replay = null)
    {
        options.Validate();
        if ((options.Arrivals == ArrivalOrder.Replay) != (replay is not null))
        {
            Guard.Throw(replay is null ? "a replayed arrival order needs the recorded order." : "a recorded arrival order is replayed only with --arrivals replay.");
        }

        var shards = Shards(train, options);
        var stepsPerEpoch = StepsPerEpoch(shards, options);
        var initial = new float[CreateModel(options, train.Features, train.Classes).Parameters];
        CreateModel(options, train.Features, train.Classes).Initialize(initial, options.Seed);
        var p = initial.Length;
        var links = new Link[options.Workers];
        var created = new ITrainingWorker[options.Workers];
        for (var k = 0; k < options.Workers; k++)
        {
            created[k] = workers is null ? CreateWorker(train, shards, options, k) : workers(k, shards[k]);
        }

        if (AsyncMethod.IsAsync(options.Method))
        {
            var method = AsyncMethod.Parse(options.Method);
            var updatesPerEpoch = stepsPerEpoch * options.Workers;
            var longest = Math.Max(method.Compressor(options, p).MaxBits, 32L * p);
            for (var k = 0; k < options.Workers; k++)
            {
                links[k] = new Link(k, longest, LearningMessages.SetupBits);
            }

            var svrg = new SvrgServer(options, initial, updatesPerEpoch, checked(options.Epochs * updatesPerEpoch));
            var arrivals = options.Arrivals switch
            {
                ArrivalOrder.Live => ArrivalSchedule.AsTheyArrive(options.Workers, options.MaxStaleness),
                ArrivalOrder.Replay => ArrivalSchedule.Replay(replay!),
                _ => new SimulatedArrivals(SimulatedArrivals.LinearSpeeds(options.Workers, options.Spread), (ulong)options.Seed, options.MaxStaleness).Schedule(),
            };
            var asyncSession = new Session(svrg, created, links, asynchronous: true, arrivals, Math.Min(options.Threads, options.Workers));
            return new TrainingSession(asyncSession, svrg, created, links, updatesPerEpoch);
        }

        var sgd = TrainingMethod.Parse(options.Method);
        for (var k = 0; k < options.Workers; k++)
        {
            links[k] = new Link(k, Compressors.MaxBits(sgd.Compressor, options, p), LearningMessages.SetupBits);
        }

        var server = new SgdServer(options, initial);
        return new TrainingSession(new Session(server, created, links, parallelism: Math.Min(options.Threads, options.Workers)), server, created, links, stepsPerEpoch);
    }

    /// <summary>Worker k of the run <paramref name="options"/> describes on <paramref name="train"/>, built where its data is.</summary>
    public static ITrainingWorker CreateWorker(Dataset train, TrainOptions options, int index)
    {
        options.Validate();
        if ((uint)index >= (uint)options.Workers)
        {
            Guard.Throw($"worker index {index} is outside 0..{options.Workers - 1}.");
        }

        return CreateWorker(train, Shards(train, options), options, index);
    }

    /// <summary>Worker k given the run's <see cref="Shards"/> of <paramref name="train"/> (cut once where several workers share a machine).</summary>
    public static ITrainingWorker CreateWorker(Dataset train, Dataset[] shards, TrainOptions options, int k)
    {
        if (shards.Length != options.Workers || (uint)k >= (uint)options.Workers)
        {
            Guard.Throw($"worker {k} of {options.Workers} cannot be built from {shards.Length} shards.");
        }

        var model = CreateModel(options, train.Features, train.Classes);
        if (AsyncMethod.IsAsync(options.Method))
        {
            return new SvrgWorker(options, k, model, shards[k]);
        }

        var stepsPerEpoch = StepsPerEpoch(shards, options);
        var steps = checked(options.Epochs * stepsPerEpoch);
        var p = model.Parameters;
        var dynamic = TrainingMethod.Parse(options.Method).Compressor == CompressorKind.DynamicQsgd
            ? new DynamicBits(Alpha(options, train), steps, p, 32 + DynamicBits.FieldBits)
            : null;
        var budget = options.BitsBudget ?? FullPrecisionUplinkBits(options, steps, p, false) / 8;
        return new SgdWorker(options, k, model, shards[k], stepsPerEpoch, dynamic, (double)budget / options.Workers);
    }

    /// <summary>The W contiguous shards of <paramref name="train"/> after the run's seeded shuffle.</summary>
    public static Dataset[] Shards(Dataset train, TrainOptions options)
    {
        if (train.Count < options.Workers)
        {
            Guard.Throw($"--workers {options.Workers} exceeds the {train.Count} training samples.");
        }

        return Shard(train, options.Workers, options.Seed);
    }

    private static int StepsPerEpoch(Dataset[] shards, TrainOptions options) => shards.Max(s => (s.Count + options.Batch - 1) / options.Batch);

    /// <summary>
    /// The uplink bits of the same run with binary32 gradients: the compression ratio's reference (W messages a
    /// synchronous step; one an asynchronous update).
    /// </summary>
    internal static long FullPrecisionUplinkBits(TrainOptions options, int steps, int parameters, bool asynchronous) =>
        ((long)steps * (asynchronous ? 1 : options.Workers) * FullPrecisionBits * parameters) + ((long)options.Workers * LearningMessages.SetupBits);

    /// <summary>
    /// α = 1 − 2μη + Lμη² of DQ-SGD's strongly convex rule, for softmax regression: μ = λ (the regularizer bounds the
    /// curvature below) and L = λ + ½·max_i(‖x_i‖² + 1) (the softmax Jacobian is at most ½ in norm, and the bias adds
    /// a constant 1 feature); null (the non-convex rule) for the MLP and whenever η ≥ 2/L makes α ≥ 1.
    /// </summary>
    private static double? Alpha(TrainOptions options, Dataset train)
    {
        if (options.Model != "softmax" || options.L2 <= 0)
        {
            return null;
        }

        double largest = 0;
        for (var i = 0; i < train.Count; i++)
        {
            double norm = 0;
            foreach (var v in train.Row(i))
            {
                norm += v * v;
            }

            largest = Math.Max(largest, norm);
        }

        var (mu, l, eta) = (options.L2, options.L2 + (0.5 * (largest + 1)), options.LearningRate);
        var alpha = 1 - (2 * mu * eta) + (l * mu * eta * eta);

        // α < 1 needs η < 2/L; beyond that the decay factor would grow, so the rule falls back to the non-convex one.
        return alpha < 1 ? alpha : null;
    }

    /// <summary>Contiguous shards of ⌊N/W⌋ or ⌈N/W⌉ samples after a shuffle seeded by <paramref name="seed"/>.</summary>
    private static Dataset[] Shard(Dataset train, int workers, long seed)
    {
        var order = new int[train.Count];
        new Xoshiro256((ulong)seed ^ 0x5851F42D4C957F2DUL).Permutation(order);

        return [.. Enumerable.Range(0, workers).Select(k =>
        {
            var start = (int)((long)k * train.Count / workers);
            var end = (int)((long)(k + 1) * train.Count / workers);
            return train.Select(order.AsSpan(start, end - start), $"{train.Name} shard {k}");
        })];
    }
}
