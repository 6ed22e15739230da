using System.Diagnostics;
using DiffQuant.State;

namespace DiffQuant.Learning.Training;

/// <summary>
/// Runs a <see cref="TrainingRun"/> to its end with checkpoints every <c>every</c> updates (kept in memory and, when a
/// file is given, replaced atomically on disk): a run whose file exists resumes from it, and a failure the caller
/// declares recoverable (e.g. a lost remote worker) rebuilds the run and resumes from the last checkpoint, so the result
/// is the uninterrupted run's and no update is applied twice.
/// </summary>
public static class CheckpointedTraining
{
    /// <param name="build">A fresh run (called again after each recoverable failure).</param>
    /// <param name="recoverable">Whether a failure is survivable by rebuilding; it may prepare the rebuild (forget a lost worker).</param>
    /// <param name="maxRecoveries">Failures survived before the last one is thrown.</param>
    /// <param name="log">Hears checkpoints written to the file, resumptions and recoveries.</param>
    public static TrainResult Run(Func<TrainingRun> build, int every, ICheckpointStore? file, Func<Exception, bool> recoverable, int maxRecoveries, Action<TrainProgress>? progress = null, TextWriter? log = null)
    {
        if (every < 1)
        {
            Guard.Throw($"--checkpoint-every must be at least 1, got {every}.");
        }

        var clock = Stopwatch.StartNew();
        TrainingRun? run = null;
        byte[]? checkpoint = null;
        var (checkpointStep, recoveries, redone, highest) = (-1, 0, 0, 0);
        var (checkpointUplink, discarded) = (0L, 0L);
        while (run is not { Done: true })
        {
            try
            {
                if (run is null)
                {
                    var fresh = build();
                    if (checkpoint is not null)
                    {
                        fresh.Restore(checkpoint);
                    }
                    else if (file is { Exists: true })
                    {
                        Resume(fresh, file);
                        (checkpointStep, highest, checkpointUplink) = (fresh.Step, fresh.Step, fresh.Uplink);
                        log?.WriteLine($"resumed from the checkpoint '{file.Path}' at update {fresh.Step}");
                    }

                    run = fresh;
                }

                if (checkpoint is null || (run.Step % every == 0 && run.Step != checkpointStep))
                {
                    (checkpoint, checkpointStep, checkpointUplink) = (run.Checkpoint(), run.Step, run.Uplink);
                    if (file is not null)
                    {
                        file.Save(checkpoint);
                        log?.WriteLine($"checkpoint of update {run.Step} written to '{file.Path}'");
                    }
                }

                var step = run.Advance();
                redone += step.Step <= highest ? 1 : 0;
                highest = Math.Max(highest, step.Step);
                progress?.Invoke(step);
            }
            catch (Exception e) when (checkpoint is not null && recoveries < maxRecoveries && recoverable(e))
            {
                recoveries++;
                discarded += run is null ? 0 : run.Uplink - checkpointUplink;
                log?.WriteLine($"{e.Message}; resuming from the checkpoint of update {checkpointStep}");
                run = null;
            }
        }

        return run.Result(clock.Elapsed.TotalSeconds) with { Recoveries = recoveries, StepsRedone = redone, UplinkBitsDiscarded = discarded };
    }

    private static void Resume(TrainingRun run, ICheckpointStore file)
    {
        try
        {
            run.Restore(file.Load());
        }
        catch (DiffQuantException e)
        {
            throw new DiffQuantException($"cannot resume from '{file.Path}': {e.Message} Delete it to start afresh.");
        }
    }
}
