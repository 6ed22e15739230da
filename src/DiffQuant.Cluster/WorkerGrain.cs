using DiffQuant.Bits;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>The thin adapter from grain calls to a <see cref="ITrainingWorker"/> built from the run's options and data.</summary>
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private ITrainingWorker? _worker;

    public Task Configure(WorkerSetup setup) => Task.FromResult(WorkerFault.Guard(Where, () =>
    {
        var options = ClusterOptions.Parse(setup.Options);
        return _worker = Trainer.CreateWorker(DataSpec.Load(setup.Data, options.Seed).Train, options, setup.Index);
    }));

    public Task<WorkerReply> Handle(WireMessage downlink) => Task.FromResult(WorkerFault.Guard(Where, () =>
    {
        var worker = Worker();
        var reply = worker.Handle(new Payload(downlink.Bytes, downlink.BitLength));
        return new WorkerReply
        {
            Message = new WireMessage { Bytes = reply.Bytes.ToArray(), BitLength = reply.BitLength },
            LossSum = worker.LossSum,
            LossCount = worker.LossCount,
        };
    }));

    public Task<byte[]> Snapshot() => Task.FromResult(WorkerFault.Guard(Where, () => Worker().Snapshot()));

    public Task Restore(byte[] snapshot) => Task.FromResult(WorkerFault.Guard(Where, () =>
    {
        Worker().Restore(snapshot);
        return true;
    }));

    private string Where => $"worker grain '{this.GetPrimaryKeyString()}'";

    private ITrainingWorker Worker() => _worker ?? throw new DiffQuantException("it was not configured.");
}
