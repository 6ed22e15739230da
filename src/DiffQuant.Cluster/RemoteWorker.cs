using DiffQuant.Bits;
using DiffQuant.Learning.Training;
using DiffQuant.Transport;

namespace DiffQuant.Cluster;

/// <summary>
/// A worker grain seen as the core's synchronous <see cref="ITrainingWorker"/>, so the in-process session drives
/// remote workers unchanged: each call waits for the grain (the session runs off the Orleans scheduler). A call that
/// fails in transport, takes longer than the timeout, or finds the grain empty (its silo died and Orleans activated it
/// afresh) throws <see cref="WorkerLost"/>; a worker's own refusal stays a <see cref="DiffQuantException"/>. While it
/// waits it asks <paramref name="liveness"/> every <see cref="SiloWatch.Check"/> whether a silo was declared dead since
/// the call began: the call may have gone through that silo (as the worker's host or as the gateway the client sent it
/// by), and Orleans would wait its whole response timeout for an answer that will not come. So a silo killed mid-call
/// is noticed in the membership's seconds (<see cref="SiloWatch"/>). Bound to its link, it lets this process refuse a
/// reply longer than the link's longest message unread (<see cref="UplinkLimits"/>); such a refusal, like any other of
/// the link's, is a <see cref="DiffQuantException"/>.
/// </summary>
public sealed class RemoteWorker(IWorkerGrain grain, int index, SiloAddress? silo, TimeSpan timeout, StateTraffic? traffic = null, ISiloLiveness? liveness = null) : ITrainingWorker, ILinkBound
{
    public int Index => index;

    /// <summary>The silo the grain was placed on (null: wherever Orleans chose).</summary>
    public SiloAddress? Silo => silo;

    /// <summary>The worker's saturated coordinates, as its grain last reported them.</summary>
    public long Overloads { get; private set; }

    public double LossSum { get; private set; }

    public long LossCount { get; private set; }

    /// <summary>Seconds the grain spent answering payloads (its compute; the rest of a call's wait is transport).</summary>
    public double ComputeSeconds { get; private set; }

    public Payload Handle(Payload downlink)
    {
        var reply = Call(grain.Handle(new WireMessage { Bytes = downlink.Bytes.ToArray(), BitLength = downlink.BitLength }));
        if (reply.Message.Refusal is { } refusal)
        {
            throw new DiffQuantException($"worker {index}: {refusal}");
        }

        (LossSum, LossCount) = reply.Losses;
        Overloads = reply.Overloads;
        ComputeSeconds += reply.Seconds;
        return new Payload(reply.Message.Bytes, reply.Message.BitLength);
    }

    public void Bind(Link link) => UplinkLimits.Set(grain.GetPrimaryKeyString(), link.LargestUplinkBytes, this);

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
            return SiloWatch.Wait(call, timeout, liveness, dead => new WorkerLost(index, dead, $"silo {dead} was declared dead while the call was outstanding"));
        }
        catch (GrainFault e) when (!e.Unconfigured)
        {
            throw new DiffQuantException(e.Message);
        }
        catch (Exception e) when (e is GrainFault or TimeoutException or OrleansException or OperationCanceledException)
        {
            var where = silo is null ? string.Empty : $" from silo {silo}";
            throw new WorkerLost(index, silo, e switch
            {
                GrainFault => e.Message,
                TimeoutException => $"no answer{where} within {timeout.TotalSeconds:G4} s",
                _ => $"no answer{where}: {e.Message}",
            });
        }
    }
}
