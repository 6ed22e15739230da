using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Transport;

namespace DiffQuant.Running;

/// <summary>
/// Pumps messages between one server and one worker through a <see cref="Channel"/>, in-process.
/// The order is the protocol's: x̂_0 down, setup up, then per iteration one downlink and one uplink.
/// </summary>
public sealed class Session
{
    private readonly IServer _server;
    private readonly IWorker _worker;
    private Payload _pendingDownlink;
    private bool _started;

    public Session(IServer server, IWorker worker, Channel channel)
    {
        _server = server;
        _worker = worker;
        Channel = channel;
    }

    public Channel Channel { get; }

    /// <summary>Exchanges x̂_0 and the setup.</summary>
    public void Start()
    {
        if (_started)
        {
            Guard.Throw("the session has already started.");
        }

        var opening = Channel.SendDownlink(_server.Open(), setup: true);
        var setup = Channel.SendUplink(_worker.Handle(opening), setup: true);
        _pendingDownlink = _server.Handle(setup);
        _started = true;
    }

    /// <summary>Runs one iteration: downlink, the worker's reply, the server's update.</summary>
    public void Round()
    {
        if (!_started)
        {
            Guard.Throw("call Start before the first round.");
        }

        var downlink = Channel.SendDownlink(_pendingDownlink);
        var uplink = Channel.SendUplink(_worker.Handle(downlink));
        _pendingDownlink = _server.Handle(uplink);
    }

    /// <summary>
    /// Runs until a stop rule is met; <paramref name="referee"/> measures accuracy when x* is known and
    /// <paramref name="progress"/> hears (t, relative error) after each iteration.
    /// </summary>
    public RunResult Run(StopRule stop, AccuracyReferee? referee, Action<int, double>? progress = null)
    {
        stop.Validate();
        if ((stop.TargetRelativeError is not null || stop.StallWindow is not null) && referee is null)
        {
            Guard.Throw("an accuracy target or stall window needs a problem with a known solution.");
        }

        Start();
        var history = new List<double> { referee is null ? double.NaN : 1.0 };
        var best = 1.0;
        var bestAt = 0;
        ExitReason reason;
        while (true)
        {
            var t = _server.Iterations;
            var error = history[^1];
            if (!AllFinite(_server.Iterate))
            {
                reason = ExitReason.Diverged;
                break;
            }

            if (error <= stop.TargetRelativeError)
            {
                reason = ExitReason.TargetReached;
                break;
            }

            if (stop.StallWindow is { } window && t - bestAt >= window)
            {
                reason = ExitReason.Stalled;
                break;
            }

            if (t >= stop.MaxIterations)
            {
                reason = ExitReason.IterationBudget;
                break;
            }

            if (Channel.Uplink.TotalBits + Channel.UplinkBudgetBits > stop.MaxUplinkBits)
            {
                reason = ExitReason.BitBudget;
                break;
            }

            if (!_server.CanContinue)
            {
                reason = ExitReason.RangeExhausted;
                break;
            }

            Round();
            error = referee?.RelativeError(_server.Iterate) ?? double.NaN;
            history.Add(error);
            progress?.Invoke(_server.Iterations, error);
            if (error < best)
            {
                best = error;
                bestAt = _server.Iterations;
            }
        }

        var iterations = _server.Iterations;
        var final = history[^1];
        return new RunResult
        {
            ExitReason = reason,
            Iterations = iterations,
            Iterate = _server.Iterate.ToArray(),
            RelativeError = final,
            EmpiricalRate = iterations == 0 || double.IsNaN(final) ? double.NaN : Math.Min(1, Math.Pow(final, 1.0 / iterations)),
            ErrorHistory = [.. history],
            UplinkBits = Channel.Uplink.TotalBits,
            SetupBits = Channel.Uplink.SetupBits,
            MaxMessageBits = Channel.Uplink.MaxMessageBits,
            DownlinkBits = Channel.Downlink.TotalBits,
            Overloads = _worker.Overloads,
        };
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
