using DiffQuant.Bits;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// A worker grain seen as the core's synchronous <see cref="ITrainingWorker"/>, so the in-process session drives
/// remote workers unchanged: each call waits for the grain (the session runs off the Orleans scheduler).
/// </summary>
public sealed class RemoteWorker(IWorkerGrain grain) : ITrainingWorker
{
    public long Overloads => 0;

    public double LossSum { get; private set; }

    public long LossCount { get; private set; }

    public Payload Handle(Payload downlink)
    {
        var reply = WorkerFault.Await(grain.Handle(new WireMessage { Bytes = downlink.Bytes.ToArray(), BitLength = downlink.BitLength }));
        (LossSum, LossCount) = (reply.LossSum, reply.LossCount);
        return new Payload(reply.Message.Bytes, reply.Message.BitLength);
    }

    public byte[] Snapshot() => WorkerFault.Await(grain.Snapshot());

    public void Restore(ReadOnlySpan<byte> snapshot) => WorkerFault.Await(grain.Restore(snapshot.ToArray()));
}
