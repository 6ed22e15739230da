using System.Diagnostics;
using DiffQuant.State;

namespace DiffQuant.Learning.Training;

/// <summary>
/// A <see cref="TrainingRun"/> driven from checkpoint to checkpoint, every <c>every</c> updates (kept in memory and, when
/// a store is given, replaced atomically there): a run whose store holds a checkpoint resumes from it, and a failure the
/// caller declares recoverable (e.g. a lost remote worker) rebuilds the run and resumes from the last checkpoint, so the
/// result is the uninterrupted run's and no update is applied twice. The driver may itself move: a server restarted
/// elsewhere continues from <see cref="Checkpoint"/> handed to its replacement.
/// </summary>
public sealed class CheckpointedTraining
{
    private readonly Func<TrainingRun> _build;
    private readonly int _every;
    private readonly ICheckpointStore? _store;
    private readonly Func<Exception, bool> _recoverable;
    private readonly int _maxRecoveries;
    private readonly TextWriter? _log;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TrainingRun? _run;
    private int _checkpointStep = -1;
    private int _highest;
    private long _checkpointUplink;
    private long _discarded;
    private int _redone;

    /// <param name="build">A fresh run (called again after each recoverable failure).</param>
    /// <param name="store">Where checkpoints also go; a checkpoint already there is resumed.</param>
    /// <param name="recoverable">Whether a failure is survivable by rebuilding; it may prepare the rebuild (forget a lost worker).</param>
    /// <param name="maxRecoveries">Failures survived before the last one is thrown.</param>
    /// <param name="log">Hears checkpoints written to the store, resumptions and recoveries.</param>
    /// <param name="resumeFrom">A checkpoint to start from (a server taking over a run), instead of the store's.</param>
    public CheckpointedTraining(Func<TrainingRun> build, int every, ICheckpointStore? store, Func<Exception, bool> recoverable, int maxRecoveries, TextWriter? log = null, byte[]? resumeFrom = null)
    {
        if (every < 1)
        {
            Guard.Throw($"--checkpoint-every must be at least 1, got {every}.");
        }

        (_build, _every, _store, _recoverable, _maxRecoveries, _log, Checkpoint) = (build, every, store, recoverable, maxRecoveries, log, resumeFrom);
    }

    /// <summary>The latest checkpoint (null before the first).</summary>
    public byte[]? Checkpoint { get; private set; }

    /// <summary>The update <see cref="Checkpoint"/> was taken at (−1 before the first).</summary>
    public int CheckpointStep => _checkpointStep;

    public bool Done => _run is { Done: true };

    /// <summary>The run's evaluations so far (empty before it is built).</summary>
    public IReadOnlyList<TrainPoint> Curve => _run?.Curve ?? [];

    /// <summary>The updates the whole run makes (0 before it is built).</summary>
    public int Steps => _run?.Steps ?? 0;

    /// <summary>Lost workers survived so far.</summary>
    public int Recoveries { get; private set; }

    /// <summary>Runs the whole training: checkpoint to checkpoint until done.</summary>
    public static TrainResult Run(Func<TrainingRun> build, int every, ICheckpointStore? store, Func<Exception, bool> recoverable, int maxRecoveries, Action<TrainProgress>? progress = null, TextWriter? log = null)
    {
        var training = new CheckpointedTraining(build, every, store, recoverable, maxRecoveries, log);
        while (!training.Done)
        {
            training.AdvanceToCheckpoint(progress);
        }

        return training.Result();
    }

    /// <summary>
    /// Makes updates until the next checkpoint is written (then <see cref="Checkpoint"/> is the run's state as it stops),
    /// the run is done, or (after at least one update) <paramref name="maxUpdates"/> were made or <paramref name="maxTime"/>
    /// passed; <paramref name="progress"/> hears each update.
    /// </summary>
    public void AdvanceToCheckpoint(Action<TrainProgress>? progress, int maxUpdates = int.MaxValue, TimeSpan? maxTime = null)
    {
        var made = 0;
        var clock = Stopwatch.StartNew();
        while (!Done && (made == 0 || (made < maxUpdates && !(clock.Elapsed >= maxTime))))
        {
            try
            {
                var run = _run ??= Rebuild();
                if (Checkpoint is null || (run.Step % _every == 0 && run.Step != _checkpointStep))
                {
                    (Checkpoint, _checkpointStep, _checkpointUplink) = (run.Checkpoint(), run.Step, run.Uplink);
                    if (_store is not null)
                    {
                        _store.Save(Checkpoint);
                        _log?.WriteLine($"checkpoint of update {run.Step} written to '{_store.Path}'");
                    }

                    if (made > 0)
                    {
                        return;
                    }
                }

                var step = run.Advance();
                made++;
                _redone += step.Step <= _highest ? 1 : 0;
                _highest = Math.Max(_highest, step.Step);
                progress?.Invoke(step);
            }
            catch (Exception e)
            {
                if (!Recover(e))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Builds the run (placing its workers, resuming a checkpoint) without updating; answers the update it is at.</summary>
    public int Prepare()
    {
        while (true)
        {
            try
            {
                return (_run ??= Rebuild()).Step;
            }
            catch (Exception e)
            {
                if (!Recover(e))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> is survived; if so the run is dropped, to be rebuilt at the last checkpoint.</summary>
    private bool Recover(Exception e)
    {
        if (Checkpoint is null || Recoveries >= _maxRecoveries || !_recoverable(e))
        {
            return false;
        }

        Recoveries++;
        _discarded += _run is null ? 0 : _run.Uplink - _checkpointUplink;
        _log?.WriteLine($"{e.Message}; resuming from the checkpoint of update {_checkpointStep}");
        _run = null;
        return true;
    }

    /// <summary>The finished run's result, with its recoveries and the work they redid.</summary>
    public TrainResult Result()
    {
        if (_run is not { Done: true } run)
        {
            throw new DiffQuantException("the run has not finished.");
        }

        return run.Result(_clock.Elapsed.TotalSeconds) with { Recoveries = Recoveries, StepsRedone = _redone, UplinkBitsDiscarded = _discarded };
    }

    /// <summary>A fresh run at the latest checkpoint: the one in memory, else the store's, else the start.</summary>
    private TrainingRun Rebuild()
    {
        var fresh = _build();
        if (Checkpoint is not null)
        {
            fresh.Restore(Checkpoint);
            if (_checkpointStep < 0)
            {
                // A checkpoint handed over at construction: this run continues from it.
                (_checkpointStep, _highest, _checkpointUplink) = (fresh.Step, fresh.Step, fresh.Uplink);
            }
        }
        else if (_store is { Exists: true })
        {
            try
            {
                fresh.Restore(_store.Load());
            }
            catch (DiffQuantException e)
            {
                throw new DiffQuantException($"cannot resume from '{_store.Path}': {e.Message} Delete it to start afresh.");
            }

            (_checkpointStep, _highest, _checkpointUplink) = (fresh.Step, fresh.Step, fresh.Uplink);
            Checkpoint = fresh.Checkpoint();
            _log?.WriteLine($"resumed from the checkpoint '{_store.Path}' at update {fresh.Step}");
        }

        return fresh;
    }
}
