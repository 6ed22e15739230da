using System.Text.Json;
using DiffQuant.Learning.Training;
using DiffQuant.State;

namespace DiffQuant.Cluster;

/// <summary>
/// The thin adapter from grain calls to <see cref="ClusterTrainer.Server"/>: the run's loop runs on a thread-pool thread
/// (it waits on its workers' grain calls, which the grain's own scheduler must not do), one stretch per call. Its
/// reports (progress and log lines) are numbered and kept until the caller acknowledges them. When its silo serves a
/// status page, the run is shown there live.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class ServerGrain(IGrainFactory grains, ILocalSiloDetails silo, IServiceProvider services) : Grain, IServerGrain
{
    private readonly StatusBoards? _boards = services.GetService(typeof(StatusBoards)) as StatusBoards;
    private StatusBoard? _board;
    private readonly StringWriter _log = new();
    private readonly List<ServerReport> _reports = [];
    private long _sequence;
    private CheckpointedTraining? _training;
    private WorkerPlacement? _placement;
    private ICheckpointStore? _store;
    private WireMeter? _wire;

    public Task<int> Start(ServerSetup setup, byte[]? checkpoint) => Task.Run(() => GrainFault.Guard(Where, () =>
    {
        if (_training is null)
        {
            var options = ClusterOptions.Parse(setup.Options);
            _wire = new WireMeter();
            _placement = new WorkerPlacement(grains, setup.RunId, setup.WorkerTimeout, setup.ReservedSiloPort) { ServerSilo = silo.SiloAddress };
            _store = setup.Store is null ? null : CheckpointStores.Open(setup.Store);
            var recovery = new RecoveryOptions { CheckpointEvery = setup.CheckpointEvery, WorkerTimeout = setup.WorkerTimeout, MaxRecoveries = setup.MaxRecoveries, File = _store };
            var data = TrainingWorkerBuilder.Instance.Data(setup.Data, options).Data;
            _training = ClusterTrainer.Server(_placement, setup.Data, data, options, recovery, _log, checkpoint, setup.Replay);
        }

        var step = _training.Prepare();
        if (_boards is not null && _board is null)
        {
            _board = new StatusBoard(setup.Run, ClusterOptions.Parse(setup.Options), setup.Cluster);
            _board.Resume(_training.Curve, step, _training.Steps, setup.Elapsed);
            Place();
            _boards.Post(_board);
        }

        return step;
    }));

    public async Task<ServerStretch> Advance(int maxUpdates, TimeSpan maxTime, long acknowledged, int checkpointStep)
    {
        var stretch = await Task.Run(() => GrainFault.Guard(Where, () => Stretch(maxUpdates, maxTime, acknowledged, checkpointStep)));
        if (stretch.Result is not null)
        {
            // The run is over once its result is answered: `dq status` lists active server grains as runs in progress.
            DeactivateOnIdle();
        }

        return stretch;
    }

    private ServerStretch Stretch(int maxUpdates, TimeSpan maxTime, long acknowledged, int checkpointStep)
    {
        var training = _training ?? throw new GrainFault($"{Where}: it was not started.") { Unconfigured = true };
        _reports.RemoveAll(r => r.Sequence <= acknowledged);
        if (!training.Done)
        {
            training.AdvanceToCheckpoint(Report, maxUpdates, maxTime);
        }

        Flush();
        Place();
        var done = training.Done;
        var placement = _placement!;
        return new ServerStretch
        {
            Reports = [.. _reports],
            // With a store, a new server reads the checkpoint there: none travels to the caller.
            Checkpoint = done || _store is not null || training.CheckpointStep == checkpointStep ? null : training.Checkpoint,
            CheckpointStep = training.CheckpointStep,
            Result = done ? JsonSerializer.Serialize(training.Result() with { StateBytes = placement.Traffic.Bytes }) : null,
            Placement = placement.Placed.ToDictionary(p => p.Key, p => p.Value.ToParsableString()),
            Silo = silo.SiloAddress.ToParsableString(),
            StateBytes = placement.Traffic.Bytes,
            WireBytesSent = _wire!.SentBytes,
            WireBytesReceived = _wire.ReceivedBytes,
            StatusPage = _board is not null && _boards!.Page is { } page ? $"{page}?run={Uri.EscapeDataString(_board.Run)}" : null,
        };
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        (_store as IDisposable)?.Dispose();
        _wire?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private string Where => $"server grain '{this.GetPrimaryKeyString()}'";

    /// <summary>Tells the status page where the server and the workers are.</summary>
    private void Place() => _board?.Place(silo.SiloAddress.ToParsableString(), _placement!.Placed.ToDictionary(p => p.Key, p => p.Value.ToParsableString()));

    private void Report(TrainProgress progress)
    {
        _board?.Report(progress);
        Flush();
        _reports.Add(new ServerReport(++_sequence, JsonSerializer.Serialize(progress), null));
    }

    /// <summary>Moves what the run logged since the last report into the reports, line by line.</summary>
    private void Flush()
    {
        var text = _log.ToString();
        _log.GetStringBuilder().Clear();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            _reports.Add(new ServerReport(++_sequence, null, line));
        }
    }
}
