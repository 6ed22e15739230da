using DiffQuant.Cluster;
using DiffQuant.Methods;
using DiffQuant.Running;

namespace DiffQuant.Cli;

/// <summary>
/// What `dq silo` builds `dq run`'s workers and server with, from the command's own arguments (parsed here exactly as
/// the command parses them, once per silo: worker k holds the shard the in-process run would give it, and the server
/// runs the in-process run's server), and training workers.
/// </summary>
internal sealed class RunWorkerBuilder : IWorkerBuilder, IRunServerHost
{
    public const string Kind = "run";

    private readonly LatestCache<RunCommand.Plan> _plans = new();

    public IWorker Build(WorkerSetup setup)
    {
        if (setup.Kind != Kind)
        {
            return TrainingWorkerBuilder.Instance.Build(setup);
        }

        var plan = Plan(setup.Arguments);
        var shards = plan.Instance.ShardsFor(plan.Config.Workers);
        if ((uint)setup.Index >= (uint)shards.Count)
        {
            throw new DiffQuantException($"worker index {setup.Index} is outside 0..{shards.Count - 1}.");
        }

        return LocalRun.CreateWorker(shards[setup.Index], plan.Config, setup.Index, plan.DistanceBound, plan.Instance.Solution);
    }

    public string Serve(IReadOnlyList<string> arguments, Func<WorkerSetup, RemoteWorker> place, Action<int, double>? progress, RunCheckpoint? resume = null, int checkpointEvery = 0, Action<RunCheckpoint>? checkpoint = null)
    {
        var plan = Plan(arguments);
        var placed = new RemoteWorker[plan.Config.Workers];
        var result = RunCommand.Execute(plan, (i, _) => placed[i] = place(new WorkerSetup { Kind = Kind, Arguments = [.. arguments], Index = i }), progress, resume, checkpointEvery, checkpoint);
        return Lab.ResultJson.Serialize(RunCommand.Report(plan.Config, plan.Instance, plan.Seed, result, placed.Sum(w => w.ComputeSeconds)));
    }

    private RunCommand.Plan Plan(IReadOnlyList<string> arguments) => _plans.Get(string.Join('\0', arguments), () => RunCommand.PlanFrom(arguments));
}
