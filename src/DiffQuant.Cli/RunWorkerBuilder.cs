using DiffQuant.Cluster;
using DiffQuant.Methods;
using DiffQuant.Running;

namespace DiffQuant.Cli;

/// <summary>
/// What `dq silo` builds workers with: `dq run`'s workers from the command's own arguments (parsed here exactly as the
/// command parses them, so worker k holds the shard the in-process run would give it), and training workers.
/// </summary>
internal sealed class RunWorkerBuilder : IWorkerBuilder
{
    public const string Kind = "run";

    private readonly LatestCache<RunCommand.Plan> _plans = new();

    public IWorker Build(WorkerSetup setup)
    {
        if (setup.Kind != Kind)
        {
            return TrainingWorkerBuilder.Instance.Build(setup);
        }

        var plan = _plans.Get(string.Join('\0', setup.Arguments), () => RunCommand.PlanFrom(setup.Arguments));
        var shards = plan.Instance.ShardsFor(plan.Config.Workers);
        if ((uint)setup.Index >= (uint)shards.Count)
        {
            throw new DiffQuantException($"worker index {setup.Index} is outside 0..{shards.Count - 1}.");
        }

        return LocalRun.CreateWorker(shards[setup.Index], plan.Config, setup.Index, plan.DistanceBound, plan.Instance.Solution);
    }
}
