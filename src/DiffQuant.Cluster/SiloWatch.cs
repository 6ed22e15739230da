namespace DiffQuant.Cluster;

/// <summary>
/// Waits for a grain call while watching the membership: Orleans waits its whole response timeout for an answer from a
/// silo that died mid-call (as the grain's host or as the gateway the call went by), so the wait asks
/// <see cref="ISiloLiveness"/> every <see cref="Check"/> whether a silo was declared dead since it began.
/// </summary>
public static class SiloWatch
{
    /// <summary>Between looks at the membership while a call is outstanding.</summary>
    public static readonly TimeSpan Check = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The call's result; <see cref="TimeoutException"/> after <paramref name="timeout"/>; the exception
    /// <paramref name="died"/> makes of the first silo declared dead meanwhile (null: that death does not end the wait).
    /// </summary>
    public static T Wait<T>(Task<T> call, TimeSpan timeout, ISiloLiveness? liveness, Func<SiloAddress, Exception?> died)
    {
        var deadline = DateTime.UtcNow + timeout;
        var deadBefore = liveness?.KnownDead;
        // WaitAny neither throws the call's exception nor its own: whether the call finished is read from the call
        // itself, so a call that completes as a look begins is answered, and a call's own TimeoutException stays its own.
        while (!call.IsCompleted)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no answer within {timeout.TotalSeconds:G4} s.");
            }

            if (Task.WaitAny([call], left < Check ? left : Check) >= 0)
            {
                break;
            }

            foreach (var dead in liveness?.Dead().Where(s => !deadBefore!.Contains(s)) ?? [])
            {
                if (died(dead) is { } stop)
                {
                    throw stop;
                }
            }

            deadBefore = liveness?.KnownDead;
        }

        return call.GetAwaiter().GetResult();
    }
}
