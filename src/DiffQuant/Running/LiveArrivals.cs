namespace DiffQuant.Running;

/// <summary>
/// The arrival order of asynchronous workers as their messages actually come in: the server takes the first message
/// finished (the lowest worker index among several), unless taking it would leave another worker unable to meet the
/// staleness bound τ (<see cref="StalenessDeadlines"/>); then it waits for the worker whose deadline is nearest. The
/// order is recorded, so that <see cref="ArrivalSchedule.Replay"/> reproduces the run exactly.
/// </summary>
internal sealed class LiveArrivals
{
    private readonly int _maxStaleness;
    private readonly List<int> _order = [];
    private readonly long[] _lastArrival;
    private readonly long[] _scratch;

    public LiveArrivals(int workers, int maxStaleness)
    {
        if (maxStaleness < workers - 1)
        {
            Guard.Throw($"the staleness bound τ = {maxStaleness} is below K − 1 = {workers - 1}: with K workers always computing, some gradient is at least K − 1 updates old.");
        }

        _maxStaleness = maxStaleness;
        _lastArrival = new long[workers];
        _scratch = new long[workers];
        Restore([]);
    }

    /// <summary>The worker of each arrival so far.</summary>
    public IReadOnlyList<int> Order => _order;

    /// <summary>The worker of the next arrival, given each worker's message in flight (one per worker, still computing or done).</summary>
    public int Next(IReadOnlyList<Task> inFlight)
    {
        if (inFlight.Count != _lastArrival.Length)
        {
            Guard.Throw($"live arrivals of {_lastArrival.Length} workers were given {inFlight.Count} messages in flight.");
        }

        long j = _order.Count;
        var first = Task.WaitAny([.. inFlight]);
        var pick = StalenessDeadlines.Feasible(_lastArrival, first, j, _maxStaleness, _scratch) ? first : NearestDeadline();
        _lastArrival[pick] = j;
        _order.Add(pick);
        return pick;
    }

    /// <summary>Continues after the arrivals of <paramref name="order"/> (a restored session's).</summary>
    public void Restore(IReadOnlyList<int> order)
    {
        _order.Clear();
        Array.Fill(_lastArrival, -1);
        foreach (var k in order)
        {
            if ((uint)k >= (uint)_lastArrival.Length)
            {
                Guard.Throw($"a recorded arrival names worker {k}, but there are {_lastArrival.Length}.");
            }

            _lastArrival[k] = _order.Count;
            _order.Add(k);
        }
    }

    /// <summary>The worker that has waited longest (its deadline is nearest; ties: the lowest index).</summary>
    private int NearestDeadline()
    {
        var pick = 0;
        for (var k = 1; k < _lastArrival.Length; k++)
        {
            if (_lastArrival[k] < _lastArrival[pick])
            {
                pick = k;
            }
        }

        return pick;
    }
}
