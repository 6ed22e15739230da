using DiffQuant.Bits;
using DiffQuant.Learning.Training;
using DiffQuant.Methods;

namespace DiffQuant.Cluster;

/// <summary>The thin adapter from grain calls to the core's <see cref="IWorker"/>, built by the silo's <see cref="IWorkerBuilder"/>.</summary>
public sealed class WorkerGrain(IServiceProvider services) : Grain, IWorkerGrain
{
    private IWorker? _worker;

    public Task Configure(WorkerSetup setup) => Task.FromResult(WorkerFault.Guard(Where, () =>
        _worker = ((IWorkerBuilder?)services.GetService(typeof(IWorkerBuilder)) ?? TrainingWorkerBuilder.Instance).Build(setup)));

    public Task<WorkerReply> Handle(WireMessage downlink) => Task.FromResult(WorkerFault.Guard(Where, () =>
    {
        var worker = Worker();
        var reply = worker.Handle(new Payload(downlink.Bytes, downlink.BitLength));
        return new WorkerReply
        {
            Message = new WireMessage { Bytes = reply.Bytes.ToArray(), BitLength = reply.BitLength },
            LossSum = (worker as ITrainingWorker)?.LossSum ?? 0,
            LossCount = (worker as ITrainingWorker)?.LossCount ?? 0,
        };
    }));

    public Task<byte[]> Snapshot() => Task.FromResult(WorkerFault.Guard(Where, () => Worker().Snapshot()));

    public Task Restore(byte[] snapshot) => Task.FromResult(WorkerFault.Guard(Where, () =>
    {
        Worker().Restore(snapshot);
        return true;
    }));

    private string Where => $"worker grain '{this.GetPrimaryKeyString()}'";

    private IWorker Worker() => _worker ?? throw new DiffQuantException("it was not configured.");
}
