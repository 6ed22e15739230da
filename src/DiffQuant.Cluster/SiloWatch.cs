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
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                return call.WaitAsync(left < Check ? left : Check).GetAwaiter().GetResult();
            }
            catch (TimeoutException) when (!call.IsCompleted && DateTime.UtcNow < deadline)
            {
                foreach (var dead in liveness?.Dead().Where(s => !deadBefore!.Contains(s)) ?? [])
                {
                    if (died(dead) is { } stop)
                    {
                        throw stop;
                    }
                }

                deadBefore = liveness?.KnownDead;
            }
        }
    }
}
