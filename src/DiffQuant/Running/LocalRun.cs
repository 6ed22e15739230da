using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Transport;

namespace DiffQuant.Running;

/// <summary>K workers and one server in this process, wired through measuring links.</summary>
public static class LocalRun
{
    /// <summary>
    /// Runs <paramref name="config"/> on <paramref name="problem"/> (its K shards when K &gt; 1) from
    /// <paramref name="initialIterate"/>. D is <paramref name="distanceBound"/> when given, else ‖x̂_0 − x*‖. With
    /// <paramref name="evaluate"/> the result carries the loss of x̂_T (sweeps that need only rates skip it).
    /// </summary>
    /// <param name="workers">Creates worker k from its shard (e.g. an adapter to a worker elsewhere); null for local workers.</param>
    /// <param name="parallelism">Workers of a synchronous round answering at once (for workers elsewhere; results do not depend on it).</param>
    /// <param name="resume">A checkpoint of this run to continue from (its report then covers the whole run).</param>
    /// <param name="checkpointEvery">Iterations between the checkpoints <paramref name="checkpoint"/> hears (0: none).</param>
    public static RunResult Execute(Problem problem, MethodConfig config, ReadOnlySpan<double> initialIterate, StopRule stop, double? distanceBound = null, Action<int, double>? progress = null, ArrivalSchedule? schedule = null, bool evaluate = true, Func<int, Problem, IWorker>? workers = null, int parallelism = 1, RunCheckpoint? resume = null, int checkpointEvery = 0, Action<RunCheckpoint>? checkpoint = null)
    {
        stop.Validate();
        var session = CreateSession(problem, config, initialIterate, distanceBound, schedule, workers, parallelism);
        var referee = problem.Solution is null ? null : new AccuracyReferee(problem.Solution, initialIterate);
        if (resume is not null)
        {
            session.Restore(resume.Snapshot);
        }

        Action<int, double>? heard = progress;
        if (checkpoint is not null && checkpointEvery > 0)
        {
            var errors = new List<double>(resume?.Errors ?? [referee?.RelativeError(initialIterate) ?? double.NaN]);
            heard = (t, e) =>
            {
                progress?.Invoke(t, e);
                errors.Add(e);
                if (t % checkpointEvery == 0)
                {
                    checkpoint(new RunCheckpoint(t, session.Snapshot(), [.. errors]));
                }
            };
        }

        return session.Run(stop, referee, heard, evaluate ? new ObjectiveEvaluator(problem.Objective, problem.Solution) : null, resume?.Errors);
    }

    /// <summary>A session of fresh objects for the run <see cref="Execute"/> describes (also the target of a restore).</summary>
    public static Session CreateSession(Problem problem, MethodConfig config, ReadOnlySpan<double> initialIterate, double? distanceBound = null, ArrivalSchedule? schedule = null, Func<int, Problem, IWorker>? workerFactory = null, int parallelism = 1)
    {
        config.Validate();
        var shards = problem.ShardsFor(config.Workers);
        var rates = RateAllocation.Allocate(config.Allocation, config.Quantizer.Rate, [.. shards.Select(s => s.L)]);
        var workers = new IWorker[shards.Count];
        var links = new Link[shards.Count];
        for (var k = 0; k < shards.Count; k++)
        {
            workers[k] = workerFactory?.Invoke(k, shards[k]) ?? CreateWorker(shards[k], config, k, distanceBound, problem.Solution);
            links[k] = new Link(k, config.Quantizer.At(rates[k]).Create(config.Dimension).BudgetBits, SetupMessage.Bits);
        }

        return new Session(new GradientServer(config, initialIterate), workers, links, config.Mode.Asynchronous, schedule, parallelism);
    }

    /// <summary>Worker <paramref name="link"/> holding <paramref name="shard"/>; D is given or ‖x̂_0 − x*‖ from <paramref name="solution"/>.</summary>
    public static GradientWorker CreateWorker(Problem shard, MethodConfig config, int link = 0, double? distanceBound = null, double[]? solution = null)
    {
        if (distanceBound is { } given)
        {
            Guard.Positive(given, "D (the bound on ‖x̂_0 − x*‖)");
        }

        solution ??= shard.Solution;
        Func<ReadOnlySpan<double>, double>? distance = distanceBound is { } d
            ? _ => d
            : solution is null ? null : x0 => Distance(x0, solution);
        return new GradientWorker(config, link, shard.Objective, shard.L, shard.Mu, distance);
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }
}
