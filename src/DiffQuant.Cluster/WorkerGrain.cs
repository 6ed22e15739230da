using System.Diagnostics;
using DiffQuant.Bits;
using DiffQuant.Methods;

namespace DiffQuant.Cluster;

/// <summary>The thin adapter from grain calls to the core's <see cref="IWorker"/>, built by the silo's <see cref="IWorkerBuilder"/>.</summary>
[Orleans.Placement.RandomPlacement]
public sealed class WorkerGrain(IServiceProvider services) : Grain, IWorkerGrain
{
    private IWorker? _worker;

    public Task Configure(WorkerSetup setup) => Task.FromResult(GrainFault.Guard(Where, () =>
        _worker = ((IWorkerBuilder?)services.GetService(typeof(IWorkerBuilder)) ?? TrainingWorkerBuilder.Instance).Build(setup)));

    public Task<WorkerReply> Handle(WireMessage downlink) => Task.FromResult(GrainFault.Guard(Where, () =>
    {
        var worker = Worker();
        var start = Stopwatch.GetTimestamp();
        var reply = worker.Handle(new Payload(downlink.Bytes, downlink.BitLength));
        return new WorkerReply
        {
            Message = new UplinkMessage { Link = this.GetPrimaryKeyString(), Bytes = reply.Bytes.ToArray(), BitLength = reply.BitLength },
            Losses = LossTally.Of(worker),
            Overloads = worker.Overloads,
            Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
        };
    }));

    public Task<byte[]> Snapshot() => Task.FromResult(GrainFault.Guard(Where, () => Worker().Snapshot()));

    public Task<LossTally> Restore(byte[] snapshot) => Task.FromResult(GrainFault.Guard(Where, () =>
    {
        var worker = Worker();
        worker.Restore(snapshot);
        return LossTally.Of(worker);
    }));

    private string Where => $"worker grain '{this.GetPrimaryKeyString()}'";

    private IWorker Worker() => _worker ?? throw new GrainFault($"{Where}: it was not configured.") { Unconfigured = true };
}
