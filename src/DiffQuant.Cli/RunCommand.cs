using System.CommandLine;
using DiffQuant.Cluster;
using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;
using DiffQuant.Theory;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq run`: one method on one problem instance with K workers, in-process through measuring links.</summary>
internal static class RunCommand
{
    /// <summary>
    /// A silo's reading of a `dq run` command line: the instance (sharded), the method and the start (what a worker
    /// grain builds from), and the stop rule and arrival order (what the server grain runs with; a fresh schedule per run).
    /// </summary>
    internal sealed record Plan(Problem Instance, MethodConfig Config, double[] InitialIterate, double? DistanceBound, long Seed, StopRule Stop, Func<ArrivalSchedule> Schedule);

    /// <summary>Parses `dq run` arguments as the command does, without running: what a worker grain builds from.</summary>
    public static Plan PlanFrom(IReadOnlyList<string> arguments)
    {
        Plan? plan = null;
        var error = new StringWriter();
        var command = Create(TextWriter.Null, error, p => plan = p);
        var exit = command.Parse([.. arguments]).Invoke(new System.CommandLine.InvocationConfiguration { Output = TextWriter.Null, Error = error, EnableDefaultExceptionHandler = false });
        // The command's own error line, without its "error: " (the caller's report adds where it happened).
        var reason = error.ToString().Trim();
        return plan ?? throw new DiffQuantException(reason.StartsWith(CliApp.ErrorPrefix, StringComparison.Ordinal) ? reason[CliApp.ErrorPrefix.Length..] : $"the run's arguments do not parse (exit {exit}): {reason}");
    }

    /// <param name="planned">When given, the command only reads its options and hands them here (a worker's silo).</param>
    public static Command Create(TextWriter output, TextWriter error, Action<Plan>? planned = null)
    {
        var problem = new ProblemOptions();
        var workers = new WorkerOptions();
        var method = new Option<string>("--method")
        {
            Description = $"Method: {string.Join(", ", MethodSpec.All.Select(m => m.Name))}.",
            DefaultValueFactory = _ => "dq-gd",
        };
        var rate = CliNumbers.Double("--rate", "R, bits per coordinate per iteration and worker (fractional allowed); ignored by float codecs.", 6);
        var quantizer = new Option<string?>("--quantizer")
        {
            Description = $"Quantizer: {string.Join(", ", QuantizerSpec.Kinds)} (default: cube for quantizing methods, float64 otherwise).",
        };
        var range = new Option<string>("--range")
        {
            Description = $"Range policy: {string.Join(", ", Enum.GetValues<RangePolicyKind>().Select(RangePolicyNames.Name))}.",
            DefaultValueFactory = _ => RangePolicyNames.Name(MethodConfig.DefaultRange),
        };
        var downlink = new Option<string>("--downlink")
        {
            Description = $"What the server sends each round: the iterate as float64 or float32, or {Relay} (the other workers' messages, which each worker's replica of the server applies: no downlink with one worker; synchronous rounds).",
            DefaultValueFactory = _ => QuantizerSpec.Float64.Kind,
        };
        var mode = new Option<string>("--mode") { Description = "Server mode: sync (one update per round of K messages) or async (one update per message).", DefaultValueFactory = _ => "sync" };
        var staleness = new Option<int>("--staleness") { Description = "τ: async refuses a gradient more than τ updates old.", DefaultValueFactory = _ => 16 };
        var arrivals = new Option<string>("--arrivals") { Description = "Async arrival order: round-robin or random (seeded by --seed).", DefaultValueFactory = _ => "round-robin" };
        var ditherSeed = new Option<ulong>("--dither-seed")
        {
            Description = "Seed both ends share for the dithered quantizer.",
            DefaultValueFactory = _ => 7,
        };
        var eps = CliNumbers.OptionalDouble("--eps", "Stop at this relative error ‖x̂−x*‖/‖x̂_0−x*‖ (default 1e-9 unless --iterations is given).");
        var iterations = new Option<int?>("--iterations") { Description = "Iteration budget (default 10000)." };
        var maxBits = new Option<long?>("--max-bits") { Description = "Uplink bit budget for the whole run, setup included." };
        var stall = new Option<int?>("--stall")
        {
            Description = "Stop when the error has not improved for this many iterations.",
            DefaultValueFactory = _ => 200,
        };
        var eta = CliNumbers.OptionalDouble("--eta", "Step size η (default: the classical tuning from L and μ).");
        var gamma = CliNumbers.OptionalDouble("--gamma", "Momentum γ for hb/agd (default: the classical tuning).");
        var ramp = CliNumbers.Double("--ramp", "Ramp C in bits per coordinate (needs --range adaptive): message m is coded at R_m = max(R/2, R − ⌊16·C·log2((m+2)/(m+1))⌋/16); 0 codes every message at R.", RateRamp.DefaultBits);
        var distance = CliNumbers.OptionalDouble("--d-bound", "D ≥ ‖x̂_0 − x*‖ for the range schedule (default: computed from x*).");
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Iterations between checkpoints (on a cluster the server grain's, which a replacement for a lost server continues from; with --checkpoint, also written there).",
            DefaultValueFactory = _ => new RecoveryOptions().CheckpointEvery,
        }.Checked(OptionChecks.Positive);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file, or redis://HOST:PORT/KEY: replaced atomically every --checkpoint-every iterations; a run whose checkpoint exists continues from it." };
        var cluster = new ClusterCliOptions();

        method.Checked(m => MethodSpec.Parse(m));
        rate.Checked(r => OptionChecks.PositiveFinite(r));
        quantizer.Checked(q => _ = q is null ? null : QuantizerRegistry.Find(q));
        range.Checked(r => RangePolicyNames.Parse(r));
        downlink.Checked(d => _ = IsRelay(d) ? null : QuantizerRegistry.Find(d));
        staleness.Checked(s => OptionChecks.NonNegative(s));
        eps.Checked(OptionChecks.OpenUnit);
        iterations.Checked(i => OptionChecks.NonNegative(i));
        maxBits.Checked(OptionChecks.NonNegative);
        stall.Checked(s => OptionChecks.Positive(s ?? 1));
        eta.Checked(OptionChecks.PositiveFinite);
        gamma.Checked(g =>
        {
            if (g is { } v && !(v >= 0 && v < 1))
            {
                throw new DiffQuantException($"must lie in [0, 1), got {v}.");
            }
        });
        distance.Checked(OptionChecks.PositiveFinite);
        ramp.Checked(c =>
        {
            if (RateRamp.Refusal(c) is { } why)
            {
                throw new DiffQuantException(why);
            }
        });
        var command = new Command("run", "Run one method on one problem instance and report accuracy, rate and bits.");
        foreach (var option in problem.All.Concat(workers.All).Concat<Option>([method, rate, quantizer, range, downlink, mode, staleness, arrivals, ditherSeed, eps, iterations, maxBits, stall, eta, gamma, ramp, distance, json, checkpointEvery, checkpoint]).Concat(cluster.All))
        {
            command.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            cluster.Validate(parse);
            var spec = MethodSpec.Parse(parse.GetRequiredValue(method));
            var quantizerKind = parse.GetValue(quantizer) ?? (spec.Compensation.Quantizes ? "cube" : QuantizerSpec.Float64.Kind);
            var quantizerSpec = QuantizerSpec.Parse(quantizerKind, parse.GetValue(rate), parse.GetValue(ditherSeed));
            if (quantizerSpec.IsRanged)
            {
                // Float codecs ignore --rate; ranged quantizers take at most 52 bits a coordinate.
                try
                {
                    BitAllocation.ValidateRate(quantizerSpec.Rate);
                }
                catch (DiffQuantException e)
                {
                    throw new DiffQuantException($"--rate: {e.Message}", e);
                }
            }

            var k = workers.GetWorkers(parse);
            var asynchronous = parse.GetRequiredValue(mode).Trim().ToLowerInvariant() switch
            {
                "sync" => false,
                "async" => true,
                var other => throw new DiffQuantException($"--mode must be sync or async, got '{other}'."),
            };
            var order = parse.GetRequiredValue(arrivals).Trim().ToLowerInvariant();
            Func<ArrivalSchedule> schedule = order switch
            {
                "round-robin" => ArrivalSchedule.RoundRobin,
                "random" => () => ArrivalSchedule.Seeded((ulong)parse.GetValue(problem.Seed)),
                _ => throw new DiffQuantException($"--arrivals must be round-robin or random, got '{order}'."),
            };
            var budget = parse.GetValue(iterations);
            var stop = new StopRule
            {
                MaxIterations = budget ?? 10_000,
                MaxUplinkBits = parse.GetValue(maxBits),
                TargetRelativeError = parse.GetValue(eps) ?? (budget is null ? 1e-9 : null),
                StallWindow = parse.GetValue(stall),
            };
            stop.Validate();
            if (stop.MaxUplinkBits is { } bits && bits < (long)k * SetupMessage.Bits)
            {
                throw new DiffQuantException($"--max-bits {bits} is below the {(long)k * SetupMessage.Bits} bits the setup messages take ({k} × {SetupMessage.Bits}); nothing could be sent.");
            }

            var asJson = parse.GetValue(json);
            var console = CliApp.Console(output);
            Action<int, double>? progress = asJson ? null : (t, e) =>
            {
                if ((t & (t - 1)) == 0)
                {
                    console.MarkupLine($"  t = {t,6}  relative error {e:E3}");
                }
            };
            // The run's checkpoints: what makes two runs the same run is their arguments, less where they run and checkpoint.
            var run = string.Join(' ', Silos.ArgumentsWithout(parse, "--silos", "--cluster", "--tls-cert", "--tls-key", "--tls-ca", "--checkpoint", "--checkpoint-every").Where(t => t != "--json"));
            var store = planned is null && parse.GetValue(checkpoint) is { } named ? CheckpointStores.Open(named.StartsWith("redis://", StringComparison.Ordinal) ? named : Path.GetFullPath(named)) : null;
            using var storeConnection = store as IDisposable;
            var resume = store is { Exists: true } ? RunCheckpoint.Read(store.Load(), run, store.Path) : null;
            Action<RunCheckpoint>? save = store is null ? null : c =>
            {
                store.Save(c.ToBytes(run));
                error.WriteLine($"checkpoint of iteration {c.Iteration} written to '{store.Path}'");
            };
            if (resume is not null)
            {
                error.WriteLine($"resumed from the checkpoint '{store!.Path}' at iteration {resume.Iteration}");
            }

            if (cluster.Given(parse) && planned is null)
            {
                // The silos read the problem and build the run; this process only submits it and follows.
                if (!asJson)
                {
                    console.MarkupLine(Markup.Escape($"{spec.Name} with {quantizerSpec.Kind} at R = {quantizerSpec.Rate}, K = {k}: the server and the workers are grains; their silos build the problem"));
                }

                var arguments = cluster.WorkerArguments(parse);
                var (answer, _, _) = cluster.Run(parse, asJson ? null : error, null, connection =>
                    ClusterRunner.Run(connection.Grains, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}", connection.ReservedSiloPort, arguments, new RecoveryOptions { CheckpointEvery = parse.GetValue(checkpointEvery) }, progress, asJson ? null : error, resume: resume, saved: save));
                var remote = ResultJson.Deserialize<RunReport>(answer.Report) with { Silos = parse.GetValue(cluster.Silos), Cluster = parse.GetValue(cluster.Cluster), ServerSilo = answer.Silo, ServerRecoveries = answer.ServerRecoveries, WireBytesSent = answer.WireBytesSent, WireBytesReceived = answer.WireBytesReceived };
                Write(console, output, asJson, remote);
                return 0;
            }

            var (whole, x0) = problem.Create(parse);
            var instance = problem.Split(parse, whole, k);
            var config = new MethodConfig
            {
                Method = spec,
                Quantizer = quantizerSpec,
                Dimension = instance.Dimension,
                StepSize = parse.GetValue(eta),
                Gamma = parse.GetValue(gamma),
                Range = RangePolicyNames.Parse(parse.GetRequiredValue(range)),
                Ramp = new RateRamp(parse.GetValue(ramp)),
                Downlink = IsRelay(parse.GetRequiredValue(downlink)) ? QuantizerSpec.Float64 : QuantizerSpec.Parse(parse.GetRequiredValue(downlink), 64),
                DownlinkContent = IsRelay(parse.GetRequiredValue(downlink)) ? DownlinkContent.Relay : DownlinkContent.Iterate,
                Workers = k,
                Allocation = workers.GetAllocation(parse),
                Mode = asynchronous ? ServerMode.Async(parse.GetValue(staleness)) : ServerMode.Synchronous,
            };
            config.Validate();
            if (planned is not null)
            {
                planned(new Plan(instance, config, x0, parse.GetValue(distance), parse.GetValue(problem.Seed), stop, schedule));
                return 0;
            }

            if (!asJson)
            {
                console.MarkupLine(Markup.Escape($"{spec.Name} with {quantizerSpec.Kind} at R = {quantizerSpec.Rate} on {instance.Name} (n = {instance.Dimension}, κ = {instance.Kappa:G5}, K = {k}, {config.Mode.Name}, range {RangePolicyNames.Name(RangePolicies.Effective(config.Range, spec, k))})"));
            }

            var plan = new Plan(instance, config, x0, parse.GetValue(distance), parse.GetValue(problem.Seed), stop, schedule);
            Write(console, output, asJson, Report(config, instance, plan.Seed, Execute(plan, null, progress, resume, parse.GetValue(checkpointEvery), save)));
            return 0;
        }));
        return command;
    }

    private static void Write(IAnsiConsole console, TextWriter output, bool asJson, RunReport report)
    {
        if (asJson)
        {
            output.WriteLine(ResultJson.Serialize(report));
        }
        else
        {
            Print(console, report);
        }
    }

    /// <summary>
    /// Runs <paramref name="plan"/> (its workers from <paramref name="workers"/>, answering at once when they are
    /// elsewhere; null: in this process), continuing <paramref name="resume"/> when given and handing
    /// <paramref name="checkpoint"/> the run's state every <paramref name="every"/> iterations.
    /// </summary>
    internal static RunResult Execute(Plan plan, Func<int, Problem, IWorker>? workers, Action<int, double>? progress, RunCheckpoint? resume, int every, Action<RunCheckpoint>? checkpoint) =>
        LocalRun.Execute(plan.Instance, plan.Config, plan.InitialIterate, plan.Stop, plan.DistanceBound, progress, plan.Schedule(), workers: workers, parallelism: workers is null ? 1 : plan.Config.Workers, resume: resume, checkpointEvery: every, checkpoint: checkpoint);

    /// <summary>The `--downlink` value that relays the workers' messages instead of sending the iterate.</summary>
    private const string Relay = "relay";

    private static bool IsRelay(string text) => text.Trim().Equals(Relay, StringComparison.OrdinalIgnoreCase);

    /// <param name="workerCompute">The workers' own compute seconds when they ran elsewhere (null: in this process).</param>
    internal static RunReport Report(MethodConfig config, Problem instance, long seed, RunResult result, double? workerCompute = null)
    {
        var spec = config.Method;
        var shards = instance.ShardsFor(config.Workers);
        var tuning = Tuning.For(spec.Momentum, shards.Sum(s => s.L), shards.Sum(s => s.Mu), config.StepSize, config.Gamma);
        var quantizer = config.Quantizer.Create(instance.Dimension);
        var epsilon = quantizer.CoveringRadius(1);
        var rho = quantizer.UsesRange ? quantizer.CoveringEfficiency : (double?)null;
        var range = RangePolicies.Effective(config.Range, spec, config.Workers);
        double? paper = (spec.Momentum, rho) switch
        {
            (Momentum.None, { } r) when spec.Compensation == Compensation.Differential => Bounds.DqGd(tuning.Sigma, r, quantizer.Rate),
            (Momentum.None, { } r) when spec.Compensation == Compensation.Naive => Bounds.NqGdPaper(tuning.Sigma, r, quantizer.Rate),
            _ => null,
        };
        var guaranteed = Bounds.Guaranteed(spec, tuning, double.IsNaN(epsilon) ? 0 : epsilon, instance.L, instance.Mu);
        var bound = !spec.Compensation.Quantizes ? new BoundWithNote(tuning.Sigma, null)
            : config.Workers > 1 ? new BoundWithNote(null, "no rate bound is derived for several workers")
            : range == RangePolicyKind.Adaptive ? new BoundWithNote(null, "adaptive ranges carry no guarantee")
            : range == RangePolicyKind.Paper ? new BoundWithNote(paper, "the paper's schedule σ + ρ2^−R")
            : double.IsFinite(guaranteed) ? new BoundWithNote(guaranteed, null) : new BoundWithNote(null, $"no worst-case bound is derived for {spec.Name}");
        return new RunReport
        {
            Method = spec.Name,
            Quantizer = config.Quantizer.Kind,
            Problem = instance.Name,
            N = instance.Dimension,
            M = instance.Rows,
            Seed = seed,
            Workers = config.Workers,
            Range = spec.Compensation.Quantizes ? RangePolicyNames.Name(range) : "none",
            Allocation = RateAllocation.Name(config.Allocation),
            Mode = config.Mode.Asynchronous ? "async" : "sync",
            L = instance.L,
            Mu = instance.Mu,
            Kappa = instance.Kappa,
            StepSize = tuning.StepSize,
            Gamma = tuning.Gamma,
            Sigma = tuning.Sigma,
            RateBits = quantizer.Rate,
            RampBits = config.Ramp.Bits,
            Rho = rho,
            ExitReason = result.ExitReason.ToString(),
            Iterations = result.Iterations,
            BitsTotal = result.UplinkBits,
            SetupBits = result.SetupBits,
            BitsPerIteration = result.MaxMessageBits,
            BitsPerCoordinate = (double)result.UplinkBits / instance.Dimension,
            DownlinkBitsTotal = result.DownlinkBits,
            FramingBitsTotal = result.FramingBits,
            RelativeError = result.RelativeError,
            EmpiricalRate = result.EmpiricalRate,
            Loss = result.Evaluation?.Loss,
            LossGap = result.Evaluation?.LossGap,
            Bound = bound.Value,
            BoundNote = bound.Note,
            PaperBound = paper,
            Converse = Bounds.Converse(tuning.Sigma, quantizer.Rate),
            Overloads = result.Overloads,
            Links = result.Links,
            SetupSeconds = result.Timing.SetupSeconds,
            RoundSeconds = result.Timing.RoundSeconds,
            ServerSeconds = result.Timing.ServerSeconds,
            WorkerSeconds = result.Timing.WorkerSeconds,
            WorkerComputeSeconds = workerCompute ?? result.Timing.WorkerSeconds,
        };
    }

    private readonly record struct BoundWithNote(double? Value, string? Note);

    private static void Print(IAnsiConsole console, RunReport r)
    {
        var table = new Table().AddColumn("quantity").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("problem", $"{r.Problem} (n = {r.N}, m = {r.M}, κ = {r.Kappa:G5}, K = {r.Workers}, {r.Mode}, range {r.Range}{(r.RampBits == RateRamp.DefaultBits ? string.Empty : $", ramp {r.RampBits:G}")})");
        Row("exit", $"{r.ExitReason} after {r.Iterations} iterations");
        Row("relative error", $"{r.RelativeError:E3}");
        Row("empirical rate", $"{r.EmpiricalRate:F4}");
        if (r.Loss is { } loss)
        {
            Row("loss", r.LossGap is { } gap ? $"{loss:G6} (f − f* = {gap:E3})" : $"{loss:G6}");
        }

        Row("bound", r.Bound is { } b ? $"{b:F4}" : $"— ({r.BoundNote})");
        if (r.PaperBound is { } paper)
        {
            Row("bound (paper)", $"{paper:F4}");
        }

        Row("converse", $"{r.Converse:F4}");
        Row("sigma", $"{r.Sigma:F4} (eta = {r.StepSize:G4}, gamma = {r.Gamma:G4})");
        Row("uplink bits", $"{r.BitsTotal} ({r.BitsPerCoordinate:F1} per coordinate; setup {r.SetupBits}; ≤ {r.BitsPerIteration} per message)");
        Row("downlink bits", $"{r.DownlinkBitsTotal}");
        Row("framing bits", $"{r.FramingBitsTotal} (envelopes the receivers could check; not information)");
        if (r.WireBytesSent is not null)
        {
            Row("on the wire", $"{r.WireBytesSent:N0} bytes sent and {r.WireBytesReceived:N0} received by Orleans in the server's silo {r.ServerSilo} ({(r.Silos is { } silos ? $"{silos} loopback silos" : r.Cluster)})");
        }

        if (r.Workers > 1)
        {
            foreach (var link in r.Links)
            {
                Row($"worker {link.Worker}", $"uplink {link.Uplink.TotalBits} bits ({link.UplinkBudgetBits} per message), downlink {link.Downlink.TotalBits}");
            }
        }

        Row("overloads", $"{r.Overloads}");
        Row("time", $"setup {r.SetupSeconds:F2} s, rounds {r.RoundSeconds:F2} s ({(r.Iterations > 0 ? r.RoundSeconds / r.Iterations * 1e3 : 0):F2} ms a round): server {r.ServerSeconds:F2} s, workers {r.WorkerComputeSeconds:F2} s computing{(r.WorkerSeconds > r.WorkerComputeSeconds ? $" + {r.WorkerSeconds - r.WorkerComputeSeconds:F2} s transport" : string.Empty)}");
        console.Write(table);
    }
}
