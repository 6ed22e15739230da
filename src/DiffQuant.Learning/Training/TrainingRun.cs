using System.Diagnostics;
using System.Text.Json;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.DoubleQuantization;
using DiffQuant.Learning.Models;
using DiffQuant.State;

namespace DiffQuant.Learning.Training;

/// <summary>
/// One training run as a loop that can stop and resume: <see cref="Step"/> makes one update (a synchronous round or an
/// asynchronous arrival) and evaluates the server's model <see cref="TrainOptions.EvaluationsPerEpoch"/> times an epoch;
/// <see cref="Checkpoint"/> saves everything a fresh run of the same options needs to continue bit-identically (the
/// session's snapshot, the curve so far, the loss tallies), and <see cref="Restore"/> loads it.
/// </summary>
public sealed class TrainingRun
{
    private readonly DataSplit _data;
    private readonly TrainOptions _options;
    private readonly TrainingSession _run;
    private readonly IModel _evaluator;
    private readonly int _every;
    private readonly List<TrainPoint> _curve = [];
    private readonly IReadOnlyList<int>? _replay;
    private int _next;
    private double _lossSum;
    private long _lossCount;
    private bool _started;

    /// <param name="workers">Creates worker k (e.g. an adapter to a worker on another machine); null for local workers.</param>
    /// <param name="replay">The recorded arrival order of <see cref="ArrivalOrder.Replay"/>.</param>
    public TrainingRun(DataSplit data, TrainOptions options, WorkerFactory? workers = null, IReadOnlyList<int>? replay = null)
    {
        var clock = Stopwatch.StartNew();
        _data = data;
        _options = options;
        _replay = replay;
        _run = Trainer.Build(data.Train, options, workers, replay);
        _evaluator = Trainer.CreateModel(options, data.Train.Features, data.Train.Classes);
        Steps = checked(options.Epochs * _run.UpdatesPerEpoch);
        _every = Math.Max(1, _run.UpdatesPerEpoch / options.EvaluationsPerEpoch);
        _next = _every;
        SetupSeconds = clock.Elapsed.TotalSeconds;
    }

    /// <summary>The updates the whole run makes.</summary>
    public int Steps { get; }

    /// <summary>The updates made so far.</summary>
    public int Step => _run.Server.Iterations;

    public bool Done => Step >= Steps;

    /// <summary>The evaluations so far (a restored run's include those before its checkpoint).</summary>
    public IReadOnlyList<TrainPoint> Curve => _curve;

    /// <summary>Seconds it took to build the server and the workers (loading their shards where they are).</summary>
    public double SetupSeconds { get; }

    /// <summary>One update; the progress carries a new point of the curve when it evaluated.</summary>
    public TrainProgress Advance()
    {
        if (Done)
        {
            Guard.Throw($"the run has made all of its {Steps} updates.");
        }

        EnsureStarted();
        _run.Session.Round();
        TrainPoint? latest = null;
        var step = Step;
        if (step >= _next || step == Steps)
        {
            _next = Math.Min(Steps, step + _every - (step % _every));

            // Live arrivals: the workers' answers in flight are finished first, so the tallies read as a replay's would.
            _run.Session.Settle();
            var (sum, count) = (_run.Workers.Sum(w => w.LossSum), _run.Workers.Sum(w => w.LossCount));
            var score = _evaluator.Evaluate(_run.Server.Model, _data.Test);
            latest = new TrainPoint(step, (double)step / _run.UpdatesPerEpoch, Uplink, Downlink, (sum - _lossSum) / Math.Max(1, count - _lossCount), score.Loss, score.Accuracy);
            _curve.Add(latest);
            (_lossSum, _lossCount) = (sum, count);
        }

        return new TrainProgress(step, Steps, latest);
    }

    /// <summary>
    /// The run's whole state, tagged with its options so that another run's checkpoint is refused. A run not yet started
    /// exchanges its opening and setups first (a checkpoint of update 0 is of the started session).
    /// </summary>
    public byte[] Checkpoint()
    {
        EnsureStarted();

        var writer = new SnapshotWriter(Tag);
        writer.Write(Fingerprint);
        writer.Write(_run.Session.Snapshot());
        writer.Write(_next);
        writer.Write(_lossSum);
        writer.Write(_lossCount);
        writer.Write(_curve.Count);
        foreach (var p in _curve)
        {
            writer.Write(p.Step);
            writer.Write(p.Epoch);
            writer.Write(p.UplinkBits);
            writer.Write(p.DownlinkBits);
            writer.Write(p.TrainLoss);
            writer.Write(p.TestLoss);
            writer.Write(p.TestAccuracy);
        }

        return writer.ToArray();
    }

    /// <summary>Loads a <see cref="Checkpoint"/> of a run of the same options into this fresh run.</summary>
    public void Restore(ReadOnlySpan<byte> checkpoint)
    {
        if (_started)
        {
            Guard.Throw("restore a checkpoint into a fresh run, not one that has started.");
        }

        var reader = new SnapshotReader(checkpoint, Tag);
        if (reader.ReadString() != Fingerprint)
        {
            Guard.Throw("the checkpoint belongs to a run of other options (method, model, data, seed, …); it was not restored.");
        }

        _run.Session.Restore(reader.ReadBytes());
        _next = reader.ReadInt32();
        _lossSum = reader.ReadDouble();
        _lossCount = reader.ReadInt64();
        var points = reader.ReadInt32();
        for (var i = 0; i < points; i++)
        {
            _curve.Add(new TrainPoint(reader.ReadInt32(), reader.ReadDouble(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble()));
        }

        reader.End();
        _started = true;
    }

    /// <summary>The finished run's result (<paramref name="wallSeconds"/>: its measured wall time).</summary>
    public TrainResult Result(double wallSeconds)
    {
        if (!Done)
        {
            Guard.Throw($"the run has made {Step} of its {Steps} updates.");
        }

        var final = _curve[^1];
        var p = _evaluator.Parameters;
        var asynchronous = AsyncMethod.IsAsync(_options.Method);
        var uplink = Uplink;
        var gradientBits = uplink - ((long)_options.Workers * LearningMessages.SetupBits);
        var svrg = _run.Server as SvrgServer;
        return new TrainResult
        {
            Method = asynchronous ? AsyncMethod.Parse(_options.Method).Name : TrainingMethod.Parse(_options.Method).Name,
            Model = _evaluator.Name,
            Data = _data.Train.Name,
            Parameters = p,
            Workers = _options.Workers,
            Epochs = _options.Epochs,
            Batch = _options.Batch,
            LearningRate = _options.LearningRate,
            Seed = _options.Seed,
            Steps = Steps,
            TestAccuracy = final.TestAccuracy,
            TestLoss = final.TestLoss,
            TrainLoss = _evaluator.Evaluate(_run.Server.Model, _data.Train).Loss,
            UplinkBitsTotal = uplink,
            DownlinkBitsTotal = Downlink,
            FramingBitsTotal = _run.Links.Sum(l => l.Uplink.FramingBits + l.Downlink.FramingBits),
            CompressionRatio = (double)Trainer.FullPrecisionUplinkBits(_options, Steps, p, asynchronous) / uplink,
            BitsPerCoordinate = (double)gradientBits / ((double)Steps * (asynchronous ? 1 : _options.Workers) * p),
            WallSeconds = wallSeconds,
            SetupSeconds = SetupSeconds,
            MaxStaleness = svrg?.MaxStalenessSeen,
            Dropped = svrg?.Dropped,
            ArrivalOrder = asynchronous ? _options.Arrivals.ToString().ToLowerInvariant() : null,
            Arrivals = (_run.Session.Arrivals ?? _replay) is { } order ? [.. order] : null,
            Curve = [.. _curve],
        };
    }

    private const string Tag = "training-run";

    private void EnsureStarted()
    {
        if (!_started)
        {
            _run.Session.Start();
            _started = true;
        }
    }

    /// <summary>Uplink information bits counted so far.</summary>
    public long Uplink => _run.Links.Sum(l => l.Uplink.TotalBits);

    private long Downlink => _run.Links.Sum(l => l.Downlink.TotalBits);

    /// <summary>The data and every option but the threads (which never change results): what makes two runs the same run.</summary>
    private string Fingerprint => $"{_data.Train.Name}|{_data.Train.Count}|{_data.Test.Count}|{JsonSerializer.Serialize(_options with { Threads = 1 })}";
}
