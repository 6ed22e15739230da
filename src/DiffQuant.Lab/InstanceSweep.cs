using System.Runtime.ExceptionServices;

namespace DiffQuant.Lab;

/// <summary>
/// Runs one body per instance on every core. Instance i gets the seed <see cref="SeedOf"/>(seed, i) and
/// writes only its own slot, so results are identical whatever the thread count. Bad input met inside an
/// instance surfaces as one <see cref="DiffQuantException"/> naming the instance, not as an AggregateException.
/// </summary>
public static class InstanceSweep
{
    /// <summary>The seed of instance <paramref name="index"/> of a sweep with base seed <paramref name="seed"/>.</summary>
    public static long SeedOf(long seed, int index) => (seed * 1_000_003) + index;

    /// <param name="progress">Called with the number of instances done so far, from any thread, serialized.</param>
    public static T[] Run<T>(int instances, long seed, int threads, Func<int, long, T> body, Action<int>? progress = null)
    {
        if (instances <= 0)
        {
            throw new DiffQuantException($"the number of instances must be positive, got {instances}.");
        }

        if (threads <= 0)
        {
            throw new DiffQuantException($"the number of threads must be positive, got {threads}.");
        }

        var results = new T[instances];
        var done = 0;
        var gate = new object();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        try
        {
            Parallel.For(0, instances, options, i =>
            {
                var instanceSeed = SeedOf(seed, i);
                try
                {
                    results[i] = body(i, instanceSeed);
                }
                catch (DiffQuantException e)
                {
                    throw new DiffQuantException($"instance {i} (seed {instanceSeed}): {e.Message}", e);
                }

                lock (gate)
                {
                    progress?.Invoke(++done);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DiffQuantException>().FirstOrDefault() is { } first)
        {
            ExceptionDispatchInfo.Capture(first).Throw();
        }

        return results;
    }
}
