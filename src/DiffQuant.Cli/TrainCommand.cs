using System.CommandLine;
using DiffQuant.Cluster;
using DiffQuant.Lab;
using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.DoubleQuantization;
using DiffQuant.Learning.Training;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>
/// `dq train`: distributed training of softmax regression or an MLP on Fashion-MNIST (or a LIBSVM file) with any
/// compressor, or `--compare` for the standard table over seeds. Defaults come from <see cref="TrainOptions"/>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new TrainOptions();
        var data = new Option<string>("--data") { Description = "fashion-mnist (Debian's dataset-fashion-mnist) or a LIBSVM training file.", DefaultValueFactory = _ => "fashion-mnist" };
        var test = new Option<string?>("--test") { Description = "LIBSVM test file for --data PATH (default: a seeded seventh of the data held out)." };
        var positive = new Option<int?>("--positive-class") { Description = "Relabel the data one class against the rest (softmax regression then is binary logistic regression)." };
        var model = new Option<string>("--model") { Description = "softmax or mlp.", DefaultValueFactory = _ => defaults.Model }.Checked(m =>
        {
            if (m is not ("softmax" or "mlp"))
            {
                throw new DiffQuantException($"unknown model '{m}'; choose softmax or mlp.");
            }
        });
        var method = new Option<string>("--method")
        {
            Description = "sgd, qsgd, terngrad, signsgd, topk, topk-sign, randk, dq-sgd, rotated, rotated-ec, e8 or d8, optionally prefixed ef- (error feedback) or df- (differential feedback); or an asynchronous variance-reduced method: " + string.Join(", ", AsyncMethod.Standard) + ".",
            DefaultValueFactory = _ => defaults.Method,
        }.Checked(TrainOptions.CheckMethod);
        var workers = new Option<int>("--workers") { Description = "W, the workers.", DefaultValueFactory = _ => defaults.Workers }.Checked(OptionChecks.Positive);
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => defaults.Epochs }.Checked(OptionChecks.Positive);
        var batch = new Option<int>("--batch") { Description = "Samples per worker per step.", DefaultValueFactory = _ => defaults.Batch }.Checked(OptionChecks.Positive);
        var lr = CliNumbers.Double("--lr", "Learning rate η.", defaults.LearningRate).Checked(v => OptionChecks.PositiveFinite(v));
        var l2 = CliNumbers.Double("--l2", "λ of softmax regression's L2 regularizer.", defaults.L2);
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the MLP.", DefaultValueFactory = _ => defaults.Hidden }.Checked(OptionChecks.Positive);
        var bits = new Option<int>("--bits") { Description = "B, bits per coordinate of QSGD (s = 2^(B−1) − 1 levels) and of the rotated codes.", DefaultValueFactory = _ => defaults.Bits };
        var levels = new Option<int?>("--levels") { Description = "s, QSGD's levels above zero (overrides --bits for qsgd and its ef-/df- forms)." };
        var coding = new Option<string>("--coding") { Description = "QSGD's level code: fixed or elias.", DefaultValueFactory = _ => defaults.Coding.ToString().ToLowerInvariant() }.Checked(c => Coding(c));
        var bucket = new Option<int?>("--bucket") { Description = "QSGD's bucket size: one norm per this many coordinates (default: one bucket)." }.Checked(b => OptionChecks.Positive(b ?? 1));
        var fraction = CliNumbers.Double("--k-fraction", "Fraction of coordinates top-k and random-k send.", defaults.Fraction);
        var budget = new Option<long?>("--bits-budget") { Description = "C, DQ-SGD's uplink budget in bits for the whole run (default: 1/8 of binary32's)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the shards, batches, initial model and shared randomness.", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Threads computing the workers' gradients (results do not depend on it).", DefaultValueFactory = _ => defaults.Threads }.Checked(OptionChecks.Positive);
        var modelBits = new Option<int>("--model-bits") { Description = "b of the model code down (asynchronous methods; the least a read uses).", DefaultValueFactory = _ => defaults.ModelBits };
        var gradBits = new Option<int>("--grad-bits") { Description = "b of the fixed-point gradient code up (asynchronous methods).", DefaultValueFactory = _ => defaults.GradBits };
        var precision = CliNumbers.Double("--precision", "μ_q of the model precision rule E‖Q(v) − v‖² ≤ μ_q‖v‖².", defaults.ModelPrecision);
        var modelBlock = new Option<int?>("--model-block") { Description = "Coordinates per model precision δ (default: one δ per read)." }.Checked(b => OptionChecks.Positive(b ?? 1));
        var downlink = new Option<string?>("--downlink") { Description = "The model code down: float32, scaled, snapshot or differential (default: the method's)." }.Checked(d => Downlink(d));
        var staleness = new Option<int?>("--staleness") { Description = "τ, the most updates an asynchronous gradient may be stale (default: 2W)." };
        var spread = CliNumbers.Double("--spread", "The simulated slowest worker's time per gradient over the fastest's.", defaults.Spread);
        var arrivals = new Option<string>("--arrivals")
        {
            Description = "The order an asynchronous server takes gradients in: simulated (from --seed and --spread; the same on every transport), live (as they finish, under τ; recorded as train.json's arrivals), or the train.json of a live run to replay bit for bit.",
            DefaultValueFactory = _ => defaults.Arrivals.ToString().ToLowerInvariant(),
        };
        var momentum = CliNumbers.Double("--momentum", "β of Acc-AsyLPG's server momentum.", defaults.Momentum);
        var density = CliNumbers.Double("--density", "Expected fraction of coordinates Sparse-AsyLPG keeps.", defaults.Density);
        var cluster = new ClusterCliOptions();
        var recoveryDefaults = new RecoveryOptions();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file, or redis://HOST:PORT/KEY: replaced atomically every --checkpoint-every updates; a run whose checkpoint exists resumes from it." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Updates between checkpoints (and the most a recovery makes again).", DefaultValueFactory = _ => recoveryDefaults.CheckpointEvery }.Checked(OptionChecks.Positive);
        var workerTimeout = CliNumbers.Double("--worker-timeout", "Seconds a worker grain may take to answer before it counts as lost and is re-placed (--silos).", recoveryDefaults.WorkerTimeout.TotalSeconds);
        var status = new StatusCliOptions("Serve the run's live status page on 127.0.0.1:PORT (0: any free port; / draws it, /status is its JSON); with --silos N, silo i serves one on PORT + i and the server's shows the run.");
        var compare = new Option<bool>("--compare") { Description = "Run the standard table (every method of --methods over --seeds seeds)." };
        var methods = new Option<string>("--methods") { Description = "Methods of --compare.", DefaultValueFactory = _ => string.Join(",", TrainingMethod.Standard.Select(m => m.Name)) }
            .Checked(OptionChecks.EachItem(m => { TrainOptions.CheckMethod(m); return m; }));
        var seeds = new Option<int>("--seeds") { Description = "Seeds per method of --compare.", DefaultValueFactory = _ => 3 }.Checked(OptionChecks.Positive);
        var outDir = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => Path.Combine("dq-out", "train") };
        var quiet = new Option<bool>("--quiet") { Description = "No progress or tables; only the paths written." };
        var json = new Option<bool>("--json") { Description = "Print the result JSON." };
        var command = new Command("train", "Distributed SGD on real data with compressed gradients through measured links: one run, or --compare for the standard table.")
        {
            data, test, positive, model, method, workers, epochs, batch, lr, l2, hidden, bits, levels, coding, bucket, fraction, budget, modelBits, gradBits, precision, modelBlock, downlink, staleness, spread, arrivals, momentum, density, seed, threads, checkpoint, checkpointEvery, workerTimeout, compare, methods, seeds, outDir, quiet, json,
        };
        foreach (var option in cluster.All.Concat(status.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var options = new TrainOptions
            {
                Model = parse.GetRequiredValue(model),
                Method = parse.GetRequiredValue(method),
                Workers = parse.GetValue(workers),
                Epochs = parse.GetValue(epochs),
                Batch = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                L2 = parse.GetValue(l2),
                Hidden = parse.GetValue(hidden),
                Bits = parse.GetValue(bits),
                Levels = parse.GetValue(levels),
                Coding = Coding(parse.GetRequiredValue(coding)),
                Bucket = parse.GetValue(bucket),
                Fraction = parse.GetValue(fraction),
                BitsBudget = parse.GetValue(budget),
                ModelBits = parse.GetValue(modelBits),
                GradBits = parse.GetValue(gradBits),
                ModelPrecision = parse.GetValue(precision),
                ModelBlock = parse.GetValue(modelBlock),
                Downlink = Downlink(parse.GetValue(downlink)),
                Staleness = parse.GetValue(staleness),
                Spread = parse.GetValue(spread),
                Arrivals = Arrivals(parse.GetRequiredValue(arrivals)),
                Momentum = parse.GetValue(momentum),
                Density = parse.GetValue(density),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
            };
            options.Validate();
            cluster.Validate(parse);
            var replay = options.Arrivals == ArrivalOrder.Replay ? RecordedArrivals.Read(parse.GetRequiredValue(arrivals), options.Workers) : null;
            var split = Load(parse.GetRequiredValue(data), parse.GetValue(test), options.Seed);
            if (parse.GetValue(positive) is { } c)
            {
                split = split.OneVsRest(c);
            }

            var directory = ResultFiles.Directory(parse.GetRequiredValue(outDir));
            var console = CliApp.Console(output);
            var silent = parse.GetValue(quiet) || parse.GetValue(json);
            if (parse.GetValue(workerTimeout) is var seconds && !(seconds > 0))
            {
                throw new DiffQuantException($"--worker-timeout must be a positive number of seconds, got {seconds}.");
            }

            if (parse.GetValue(compare))
            {
                if (parse.GetValue(checkpoint) is not null || parse.GetValue(status.Port) is not null || options.Arrivals != ArrivalOrder.Simulated)
                {
                    throw new DiffQuantException("--compare runs its table with simulated arrivals and no checkpoints; it does not take --checkpoint, --status-port or --arrivals.");
                }

                var list = parse.GetRequiredValue(methods).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Action<string>? said = silent ? null : m => error.WriteLine($"training {m}");
                var result = cluster.Given(parse)
                    ? cluster.Run(parse, silent ? null : error, null, connection => TrainComparison.Run(split, options, list, parse.GetValue(seeds), said, o =>
                        ClusterTrainer.Run(connection.Grains, $"compare-{Environment.ProcessId}-{Guid.NewGuid():N}", connection.ReservedSiloPort, DataSpec.Of(parse.GetRequiredValue(data), parse.GetValue(test), parse.GetValue(positive), holdout: options.Seed), o, new RecoveryOptions { WorkerTimeout = TimeSpan.FromSeconds(seconds) }, null, cluster: ClusterName(cluster, parse)).GetAwaiter().GetResult())).Result
                    : TrainComparison.Run(split, options, list, parse.GetValue(seeds), said);
                TrainFiles.Write(result, directory);
                if (parse.GetValue(json))
                {
                    output.WriteLine(ResultJson.Serialize(new { result.Model, result.Data, result.Rows }));
                }
                else if (!parse.GetValue(quiet))
                {
                    output.Write(TrainComparison.Markdown(result));
                }

                error.WriteLine($"wrote compare.json, compare.md, runs.csv, frontier.png and frontier.svg to {directory}");
                return 0;
            }

            // A cluster run's server writes its checkpoints where it runs: the store is named, not opened, here.
            var checkpointPath = parse.GetValue(checkpoint) is { } named && !named.StartsWith("redis://", StringComparison.Ordinal) ? Path.GetFullPath(named) : parse.GetValue(checkpoint);
            var store = checkpointPath is null || cluster.Given(parse) ? null : CheckpointStores.Open(checkpointPath);
            using var storeConnection = store as IDisposable;
            var recovery = new RecoveryOptions
            {
                CheckpointEvery = parse.GetValue(checkpointEvery),
                WorkerTimeout = TimeSpan.FromSeconds(parse.GetValue(workerTimeout)),
                File = store,
            };
            var page = status.Settings(parse);
            Func<Action<TrainProgress>?, TrainResult> train = cluster.Given(parse)
                ? p => OnCluster(cluster, parse, parse.GetRequiredValue(data), parse.GetValue(test), parse.GetValue(positive), options, replay, recovery, checkpointPath, page, p, silent ? null : error, error)
                : recovery.File is null
                    ? p => Trainer.Run(split, options, p, replay: replay)
                    : p => CheckpointedTraining.Run(() => new TrainingRun(split, options, replay: replay), recovery.CheckpointEvery, recovery.File, _ => false, 0, p, error);
            if (page is { } settings && !cluster.Given(parse))
            {
                var board = new StatusBoard($"train-{Environment.ProcessId}", options, "in-process");
                var inner = train;
                train = p => WithStatusPage(board, settings, error, q =>
                {
                    board.Report(q);
                    p?.Invoke(q);
                }, inner);
            }

            var run = silent ? train(null) : Progress(console, options, train);
            TrainFiles.Write(run, directory);
            if (parse.GetValue(json))
            {
                output.WriteLine(ResultJson.Serialize(run));
            }
            else if (!parse.GetValue(quiet))
            {
                Print(console, run);
            }

            (parse.GetValue(json) ? error : output).WriteLine($"wrote train.json, curve.csv, accuracy-epochs.png/svg and accuracy-bits.png/svg to {directory}");
            return 0;
        }));
        return command;
    }

    private static LevelCoding Coding(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fixed" => LevelCoding.Fixed,
        "elias" => LevelCoding.Elias,
        _ => throw new DiffQuantException($"unknown level coding '{text}'; choose fixed or elias."),
    };

    /// <summary>
    /// The run with its workers as grains on loopback silo processes of this program (`--silos`) or on a running cluster
    /// (`--cluster`), each worker loading its own shard, placed off a loopback cluster's primary silo when there are
    /// others; the result is the in-process run's, plus the wall time of the cluster, the bytes on the wire, and the
    /// recoveries from lost workers. Checkpoints, losses, recoveries and where the status page is are told to
    /// <paramref name="events"/> even when the progress is quiet. The page is the server's silo's: loopback silos serve
    /// one each when <paramref name="page"/> is given; a running cluster's silos were given theirs when they started.
    /// </summary>
    private static TrainResult OnCluster(ClusterCliOptions cluster, ParseResult parse, string data, string? test, int? positive, TrainOptions options, int[]? replay, RecoveryOptions recovery, string? store, StatusPageSettings? page, Action<TrainProgress>? progress, TextWriter? log, TextWriter events)
    {
        if (page is not null && parse.GetValue(cluster.Cluster) is not null)
        {
            throw new DiffQuantException("--status-port serves this process's run or its --silos; on a --cluster the silo hosting the server serves the page: start the silos with `dq silo --status-port PORT`.");
        }

        var spec = DataSpec.Of(data, test, positive);
        var name = ClusterName(cluster, parse);
        var (result, _, _) = cluster.Run(parse, log, page, connection =>
        {
            log?.WriteLine($"training {options.Method} with a server grain and {options.Workers} worker grains");
            return ClusterTrainer.Run(connection.Grains, $"train-{Environment.ProcessId}-{Guid.NewGuid():N}", connection.ReservedSiloPort, spec, options, recovery, store, progress, events, cluster: name, replay: replay).GetAwaiter().GetResult();
        });
        return result with { Silos = parse.GetValue(cluster.Silos), Cluster = parse.GetValue(cluster.Cluster) };
    }

    /// <summary>What status pages and results call the cluster a run is on.</summary>
    private static string ClusterName(ClusterCliOptions cluster, ParseResult parse) => parse.GetValue(cluster.Cluster) ?? $"{parse.GetValue(cluster.Silos)} loopback silos";

    /// <summary>simulated or live; anything else names a file of recorded arrivals to replay.</summary>
    private static ArrivalOrder Arrivals(string text) => text.Trim().ToLowerInvariant() switch
    {
        "simulated" => ArrivalOrder.Simulated,
        "live" => ArrivalOrder.Live,
        _ => ArrivalOrder.Replay,
    };

    private static ModelCode? Downlink(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "float32" => ModelCode.Float32,
        "scaled" => ModelCode.Scaled,
        "snapshot" => ModelCode.Snapshot,
        "differential" => ModelCode.Differential,
        _ => throw new DiffQuantException($"unknown model code '{text}'; choose float32, scaled, snapshot or differential."),
    };

    private static DataSplit Load(string data, string? test, long seed)
    {
        if (data == "fashion-mnist")
        {
            if (test is not null)
            {
                throw new DiffQuantException("--test applies to a LIBSVM --data file; fashion-mnist has its own test set.");
            }

            return DataSources.FashionMnist();
        }

        var train = LibSvmReader.Read(data);
        return test is null ? DataSources.HoldOut(train, 7, seed) : new DataSplit(train, LibSvmReader.Read(test, train.Features));
    }

    /// <summary>The run with its live status page served meanwhile (the page stops with the run).</summary>
    private static TrainResult WithStatusPage(StatusBoard board, StatusPageSettings page, TextWriter events, Action<TrainProgress> progress, Func<Action<TrainProgress>?, TrainResult> train)
    {
        var server = StatusServer.Start(board, page.Port, page.Token).GetAwaiter().GetResult();
        try
        {
            events.WriteLine($"status page at {server.Address}{(page.Token is null ? string.Empty : " (bearer token required)")}");
            return train(progress);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Runs <paramref name="train"/> under a progress bar. A failure is carried out of the bar's callback and rethrown
    /// after the bar has stopped, so its refresh thread never outlives the command's writers.
    /// </summary>
    private static TrainResult Progress(IAnsiConsole console, TrainOptions options, Func<Action<TrainProgress>?, TrainResult> train)
    {
        TrainResult? result = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape($"{options.Method} {options.Model}"));
                try
                {
                    result = train(p =>
                    {
                        task.MaxValue = p.Steps;
                        task.Value = p.Step;
                        if (p.Latest is { } point)
                        {
                            task.Description = Markup.Escape($"{options.Method} {options.Model}: epoch {point.Epoch:F2}, loss {point.TrainLoss:F3}, test accuracy {100 * point.TestAccuracy:F2}%, uplink {point.UplinkBits:E2} bits");
                        }
                    });
                }
                catch (Exception e)
                {
                    failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                }
            });
        failure?.Throw();
        return result!;
    }

    private static void Print(IAnsiConsole console, TrainResult r)
    {
        var table = new Table().AddColumn("quantity").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("method", $"{r.Method} ({r.Model}, {r.Parameters} parameters, {r.Workers} workers, batch {r.Batch}, η = {r.LearningRate})");
        Row("test accuracy", $"{100 * r.TestAccuracy:F2}% after {r.Epochs} epochs ({r.Steps} steps)");
        Row("train loss", $"{r.TrainLoss:F4}");
        Row("uplink bits", $"{r.UplinkBitsTotal:N0} ({r.BitsPerCoordinate:F3} per coordinate per message; {r.CompressionRatio:F1}× fewer than binary32)");
        Row("downlink bits", $"{r.DownlinkBitsTotal:N0}");
        Row("framing bits", $"{r.FramingBitsTotal:N0} (envelopes the receivers could check; not information)");
        if (r.WireBytesSent is not null)
        {
            Row("on the wire", $"{r.WireBytesSent:N0} bytes sent and {r.WireBytesReceived:N0} received by Orleans in the server's silo (server and workers on {(r.Silos is { } silos ? $"{silos} loopback silos" : r.Cluster)}; {r.StateBytes:N0} of them worker state for checkpoints, {r.CheckpointBytesReturned:N0} checkpoints returned to this process)");
        }

        if (r.Recoveries is > 0)
        {
            Row("recoveries", $"{r.Recoveries} lost workers survived; {r.StepsRedone} updates made again, their {r.UplinkBitsDiscarded:N0} uplink bits discarded");
        }

        Row("wall time", $"{r.WallSeconds:F2} s");
        console.Write(table);
    }
}
