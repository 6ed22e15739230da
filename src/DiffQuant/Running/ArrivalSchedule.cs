using DiffQuant.Quantization;

namespace DiffQuant.Running;

/// <summary>
/// The order in which the asynchronous server hears its workers. A deterministic schedule names the worker of arrival
/// j as pick(j, K); a live one (<see cref="AsTheyArrive"/>) takes messages as they actually finish and records the
/// order, which <see cref="Replay"/> reproduces. An arrival's gradient was computed when that worker last heard from
/// the server, so the schedule decides every staleness.
/// </summary>
public sealed class ArrivalSchedule
{
    private readonly Func<long, int, int>? _pick;
    private readonly LiveArrivals? _live;

    public ArrivalSchedule(string name, Func<long, int, int> pick) => (Name, _pick) = (name, pick);

    private ArrivalSchedule(string name, LiveArrivals live) => (Name, _live) = (name, live);

    public string Name { get; }

    /// <summary>Arrivals so far (saved in session snapshots).</summary>
    public long Position { get; set; }

    /// <summary>Whether arrivals are taken as they actually come (the session then computes the workers' answers concurrently).</summary>
    public bool IsLive => _live is not null;

    /// <summary>The worker of every arrival so far, for a live schedule (null otherwise: a deterministic order is its own record).</summary>
    public IReadOnlyList<int>? Recorded => _live?.Order;

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

    /// <summary>Messages as they actually arrive from <paramref name="workers"/> workers under the staleness bound τ, recorded.</summary>
    public static ArrivalSchedule AsTheyArrive(int workers, int maxStaleness) => new($"as they arrive, τ = {maxStaleness}", new LiveArrivals(workers, maxStaleness));

    /// <summary>A recorded order (<see cref="Recorded"/> of a live run) once through; a run that needs more arrivals is not the one recorded.</summary>
    public static ArrivalSchedule Replay(IReadOnlyList<int> order)
    {
        var copy = order.ToArray();
        return new ArrivalSchedule($"replay of {copy.Length} recorded arrivals", (j, k) => j < copy.Length
            ? copy[j]
            : throw new DiffQuantException($"the recorded arrival order has {copy.Length} arrivals and the run needs more: it was recorded by another run."));
    }

    /// <summary>The worker of the next arrival among <paramref name="workers"/> (a deterministic schedule).</summary>
    public int Next(int workers)
    {
        if (_pick is null)
        {
            Guard.Throw($"arrival schedule '{Name}' takes messages as they arrive: give it the messages in flight.");
        }

        var k = _pick(Position++, workers);
        if ((uint)k >= (uint)workers)
        {
            Guard.Throw($"arrival schedule '{Name}' names worker {k}, but there are {workers}.");
        }

        return k;
    }

    /// <summary>The worker of the next arrival, given every worker's message in flight (a live schedule waits for the one it takes).</summary>
    public int Next(IReadOnlyList<Task> inFlight)
    {
        if (_live is null)
        {
            return Next(inFlight.Count);
        }

        var k = _live.Next(inFlight);
        Position++;
        return k;
    }

    /// <summary>A live schedule continues after <paramref name="order"/> (a restored session's record).</summary>
    internal void Restore(long position, IReadOnlyList<int> order)
    {
        if (_live is null ? order.Count > 0 : order.Count != position)
        {
            Guard.Throw(_live is null
                ? $"the snapshot recorded live arrivals, but this session's schedule is '{Name}'."
                : $"the snapshot's {order.Count} recorded arrivals do not match its position {position}.");
        }

        _live?.Restore(order);
        Position = position;
    }
}
