using DiffQuant.Quantization;

namespace DiffQuant.Running;

/// <summary>
/// The deterministic order in which the asynchronous server hears its workers: the worker of arrival j is
/// pick(j, K). An arrival's gradient was computed when that worker last heard from the server, so the
/// schedule decides every staleness.
/// </summary>
public sealed class ArrivalSchedule(string name, Func<long, int, int> pick)
{
    public string Name => name;

    /// <summary>Arrivals so far (saved in session snapshots).</summary>
    public long Position { get; set; }

    /// <summary>0, 1, …, K−1, 0, 1, …: every staleness is K − 1.</summary>
    public static ArrivalSchedule RoundRobin() => new("round-robin", (j, k) => (int)(j % k));

    /// <summary>The given worker indices, repeated.</summary>
    public static ArrivalSchedule Sequence(params int[] order)
    {
        if (order.Length == 0)
        {
            Guard.Throw("an arrival sequence needs at least one worker index.");
        }

        return new ArrivalSchedule($"sequence {string.Join(",", order)}", (j, k) => order[j % order.Length]);
    }

    /// <summary>A uniformly random worker per arrival, from a seed.</summary>
    public static ArrivalSchedule Seeded(ulong seed) => new($"random (seed {seed})", (j, k) => Math.Min(k - 1, (int)(SharedRandom.Uniform(seed, j, 0) * k)));

    /// <summary>The worker of the next arrival among <paramref name="workers"/>.</summary>
    public int Next(int workers)
    {
        var k = pick(Position++, workers);
        if ((uint)k >= (uint)workers)
        {
            Guard.Throw($"arrival schedule '{name}' names worker {k}, but there are {workers}.");
        }

        return k;
    }
}
