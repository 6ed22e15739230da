using DiffQuant.Quantization;

namespace DiffQuant.Running;

/// <summary>
/// The arrival order of K asynchronous workers of different speeds under a staleness bound τ, simulated: worker k's
/// j-th gradient takes c_k·(½ + U_kj) time units (U_kj uniform from the seed), and the server takes arrivals in order
/// of completion, except that no gradient may arrive more than τ updates after its worker read the model: when taking
/// the earliest would leave another worker unable to meet that deadline, the server waits for the worker whose
/// deadline is nearest (earliest-deadline-first; feasible whenever τ ≥ K − 1). Arrival j's worker is a function of j
/// alone, so a run replays exactly from the seed and its position.
/// </summary>
public sealed class SimulatedArrivals
{
    private readonly double[] _meanTimes;
    private readonly ulong _seed;
    private readonly int _maxStaleness;
    private readonly double[] _completion;
    private readonly long[] _jobs;
    private readonly long[] _lastArrival;
    private readonly long[] _deadlines;
    private long _produced;
    private int _last;
    private double _now;

    /// <param name="meanTimes">c_k, the mean time of a gradient of each worker (any unit).</param>
    public SimulatedArrivals(IReadOnlyList<double> meanTimes, ulong seed, int maxStaleness)
    {
        if (meanTimes.Count == 0 || meanTimes.Any(c => !(c > 0) || !double.IsFinite(c)))
        {
            Guard.Throw("simulated arrivals need a positive, finite mean time for every worker.");
        }

        if (maxStaleness < meanTimes.Count - 1)
        {
            Guard.Throw($"the staleness bound τ = {maxStaleness} is below K − 1 = {meanTimes.Count - 1}: with K workers always computing, some gradient is at least K − 1 updates old.");
        }

        _meanTimes = [.. meanTimes];
        _seed = seed;
        _maxStaleness = maxStaleness;
        _completion = new double[meanTimes.Count];
        _jobs = new long[meanTimes.Count];
        _lastArrival = new long[meanTimes.Count];
        _deadlines = new long[meanTimes.Count];
        Reset();
    }

    /// <summary>c_k = 1 + (spread − 1)·k/(K − 1): the fastest worker 1, the slowest <paramref name="spread"/> time units a gradient.</summary>
    public static double[] LinearSpeeds(int workers, double spread) =>
        [.. Enumerable.Range(0, workers).Select(k => workers == 1 ? 1 : 1 + ((spread - 1) * k / (workers - 1)))];

    /// <summary>The schedule that replays these arrivals.</summary>
    public ArrivalSchedule Schedule() =>
        new($"simulated speeds {string.Join("/", _meanTimes.Select(c => c.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)))}, τ = {_maxStaleness}", (j, k) => Worker(j));

    /// <summary>The staleness of arrival j: updates applied between its worker's read and its arrival (one per arrival).</summary>
    public long StalenessAt(long j)
    {
        var worker = Worker(j);
        long previous = -1;
        for (var i = j - 1; i >= 0; i--)
        {
            if (Worker(i) == worker)
            {
                previous = i;
                break;
            }
        }

        return j - previous - 1;
    }

    /// <summary>The worker of arrival <paramref name="j"/> (arrivals 0, 1, …).</summary>
    public int Worker(long j)
    {
        if (j < _produced - 1)
        {
            Reset();
        }

        while (_produced <= j)
        {
            _last = Next();
        }

        return _last;
    }

    private void Reset()
    {
        _produced = 0;
        _now = 0;
        _last = -1;
        for (var k = 0; k < _meanTimes.Length; k++)
        {
            _jobs[k] = 0;
            _lastArrival[k] = -1;
            _completion[k] = Duration(k);
        }
    }

    private double Duration(int k) => _meanTimes[k] * (0.5 + SharedRandom.Uniform(_seed, _jobs[k]++, k));

    private int Next()
    {
        var j = _produced;
        var earliest = 0;
        for (var k = 1; k < _meanTimes.Length; k++)
        {
            if (_completion[k] < _completion[earliest])
            {
                earliest = k;
            }
        }

        var pick = StalenessDeadlines.Feasible(_lastArrival, earliest, j, _maxStaleness, _deadlines) ? earliest : NearestDeadline();
        _now = Math.Max(_now, _completion[pick]);
        _completion[pick] = _now + Duration(pick);
        _lastArrival[pick] = j;
        _produced++;
        return pick;
    }

    private int NearestDeadline()
    {
        var pick = 0;
        for (var k = 1; k < _meanTimes.Length; k++)
        {
            if (_lastArrival[k] < _lastArrival[pick] || (_lastArrival[k] == _lastArrival[pick] && _completion[k] < _completion[pick]))
            {
                pick = k;
            }
        }

        return pick;
    }
}
