using System.Diagnostics;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>One evaluation of a live run: update, epoch, losses, test accuracy and bits so far.</summary>
public sealed record StatusPoint(int Step, double Epoch, double TrainLoss, double TestLoss, double TestAccuracy, long UplinkBits, long DownlinkBits);

/// <summary>What the status page shows of a run at one moment (the JSON of /status).</summary>
public sealed record RunStatus(
    string Run,
    string Method,
    string Model,
    int Workers,
    string Cluster,
    int Step,
    int Steps,
    double ElapsedSeconds,
    double? EtaSeconds,
    long UplinkBits,
    long DownlinkBits,
    string? ServerSilo,
    IReadOnlyDictionary<int, string> WorkerSilos,
    IReadOnlyList<StatusPoint> Curve);

/// <summary>
/// The live state of one run, written by its progress callback and read by the status page from other threads. The
/// ETA assumes the remaining updates take as long as the ones made here so far: (steps − step) · (elapsed here) /
/// (updates made here); a board that takes over a run at a checkpoint counts from there.
/// </summary>
public sealed class StatusBoard(string run, TrainOptions options, string cluster)
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<StatusPoint> _curve = [];
    private TrainProgress _latest;
    private int _startStep;
    private TimeSpan _before;

    /// <summary>The run's name (what /status?run= picks).</summary>
    public string Run => run;

    /// <summary>
    /// Takes over a run at update <paramref name="step"/> of <paramref name="steps"/>: its curve so far and the time it
    /// had taken before (a server that replaced a lost one shows the whole run, not only its own part).
    /// </summary>
    public void Resume(IEnumerable<TrainPoint> curve, int step, int steps, TimeSpan before)
    {
        lock (_gate)
        {
            _curve.Clear();
            _curve.AddRange(curve.Select(Point));
            (_latest, _startStep, _before) = (new TrainProgress(step, steps, null), step, before);
        }
    }

    private string? _serverSilo;
    private IReadOnlyDictionary<int, string> _workerSilos = new Dictionary<int, string>();

    /// <summary>Where the server and the workers are (a cluster run tells it after each stretch).</summary>
    public void Place(string serverSilo, IReadOnlyDictionary<int, string> workerSilos)
    {
        lock (_gate)
        {
            (_serverSilo, _workerSilos) = (serverSilo, workerSilos);
        }
    }

    /// <summary>Takes one update's progress (the run's progress callback); an update made again after a recovery replaces the points from there on.</summary>
    public void Report(TrainProgress progress)
    {
        lock (_gate)
        {
            _latest = progress;
            if (progress.Latest is { } p)
            {
                _curve.RemoveAll(c => c.Step >= p.Step);
                _curve.Add(Point(p));
            }
        }
    }

    public RunStatus Read()
    {
        lock (_gate)
        {
            var here = _clock.Elapsed.TotalSeconds;
            var (step, steps) = (_latest.Step, _latest.Steps);
            var made = step - _startStep;
            var last = _curve.Count > 0 ? _curve[^1] : null;
            return new RunStatus(
                run,
                options.Method,
                options.Model,
                options.Workers,
                cluster,
                step,
                steps,
                _before.TotalSeconds + here,
                made > 0 ? (steps - step) * here / made : null,
                last?.UplinkBits ?? 0,
                last?.DownlinkBits ?? 0,
                _serverSilo,
                _workerSilos,
                [.. _curve]);
        }
    }

    private static StatusPoint Point(TrainPoint p) => new(p.Step, p.Epoch, p.TrainLoss, p.TestLoss, p.TestAccuracy, p.UplinkBits, p.DownlinkBits);
}
