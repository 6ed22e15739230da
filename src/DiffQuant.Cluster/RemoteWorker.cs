using DiffQuant.Bits;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// A worker grain seen as the core's synchronous <see cref="ITrainingWorker"/>, so the in-process session drives
/// remote workers unchanged: each call waits for the grain (the session runs off the Orleans scheduler). A call that
/// fails in transport, takes longer than the timeout, or finds the grain empty (its silo died and Orleans activated it
/// afresh) throws <see cref="WorkerLost"/>; a worker's own refusal stays a <see cref="DiffQuantException"/>.
/// </summary>
public sealed class RemoteWorker(IWorkerGrain grain, int index, SiloAddress? silo, TimeSpan timeout, StateTraffic? traffic = null) : ITrainingWorker
{
    public int Index => index;

    /// <summary>The silo the grain was placed on (null: wherever Orleans chose).</summary>
    public SiloAddress? Silo => silo;

    public long Overloads => 0;

    public double LossSum { get; private set; }

    public long LossCount { get; private set; }

    public Payload Handle(Payload downlink)
    {
        var reply = Call(grain.Handle(new WireMessage { Bytes = downlink.Bytes.ToArray(), BitLength = downlink.BitLength }));
        (LossSum, LossCount) = reply.Losses;
        return new Payload(reply.Message.Bytes, reply.Message.BitLength);
    }

    public byte[] Snapshot()
    {
        var snapshot = Call(grain.Snapshot());
        traffic?.Add(snapshot.Length);
        return snapshot;
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        (LossSum, LossCount) = Call(grain.Restore(snapshot.ToArray()));
        traffic?.Add(snapshot.Length);
    }

    private T Call<T>(Task<T> call)
    {
        try
        {
            return call.WaitAsync(timeout).GetAwaiter().GetResult();
        }
        catch (WorkerFault e) when (!e.Unconfigured)
        {
            throw new DiffQuantException(e.Message);
        }
        catch (Exception e) when (e is WorkerFault or TimeoutException or OrleansException or OperationCanceledException)
        {
            throw new WorkerLost(index, silo, e is TimeoutException ? $"no answer within {timeout.TotalSeconds:G4} s" : e.Message);
        }
    }
}
