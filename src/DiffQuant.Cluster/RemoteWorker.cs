using DiffQuant.Bits;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// A worker grain seen as the core's synchronous <see cref="ITrainingWorker"/>, so the in-process session drives
/// remote workers unchanged: each call waits for the grain (the session runs off the Orleans scheduler). A call that
/// fails in transport, takes longer than the timeout, or finds the grain empty (its silo died and Orleans activated it
/// afresh) throws <see cref="WorkerLost"/>; a worker's own refusal stays a <see cref="DiffQuantException"/>. While it
/// waits it asks <paramref name="liveness"/> every <see cref="LivenessCheck"/> whether a silo was declared dead since
/// the call began: the call may have gone through that silo (as the worker's host or as the gateway the client sent it
/// by), and Orleans would wait its whole response timeout for an answer that will not come. So a silo killed mid-call
/// is noticed in the membership's seconds.
/// </summary>
public sealed class RemoteWorker(IWorkerGrain grain, int index, SiloAddress? silo, TimeSpan timeout, StateTraffic? traffic = null, ISiloLiveness? liveness = null) : ITrainingWorker
{
    /// <summary>Between looks at the worker's silo while a call is outstanding.</summary>
    public static readonly TimeSpan LivenessCheck = TimeSpan.FromSeconds(1);

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
        var deadline = DateTime.UtcNow + timeout;
        var deadBefore = liveness?.KnownDead;
        try
        {
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                try
                {
                    return call.WaitAsync(left < LivenessCheck ? left : LivenessCheck).GetAwaiter().GetResult();
                }
                catch (TimeoutException) when (!call.IsCompleted && DateTime.UtcNow < deadline)
                {
                    if (liveness?.Dead().FirstOrDefault(s => !deadBefore!.Contains(s)) is { } dead)
                    {
                        throw new WorkerLost(index, dead, $"silo {dead} was declared dead while the call was outstanding");
                    }
                }
            }
        }
        catch (WorkerFault e) when (!e.Unconfigured)
        {
            throw new DiffQuantException(e.Message);
        }
        catch (Exception e) when (e is WorkerFault or TimeoutException or OrleansException or OperationCanceledException)
        {
            var where = silo is null ? string.Empty : $" from silo {silo}";
            throw new WorkerLost(index, silo, e switch
            {
                WorkerFault => e.Message,
                TimeoutException => $"no answer{where} within {timeout.TotalSeconds:G4} s",
                _ => $"no answer{where}: {e.Message}",
            });
        }
    }
}
