using System.Diagnostics;
using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Running;

/// <summary>
/// Pumps messages between one server and K workers through their <see cref="Link"/>s, in-process. The order
/// is the protocol's: x̂_0 down and a setup up on every link, then the go message. Synchronous rounds send
/// each worker the pending downlink and hand its reply to the server; the server updates once all K
/// arrived. Asynchronously, the schedule picks which worker's in-flight message arrives next; the server
/// updates and answers that worker at once, whose next message is then in flight; an asynchronous server may
/// call a barrier (one synchronous round, e.g. an epoch's snapshot) by answering all. With a live schedule the workers
/// compute their answers concurrently and the schedule takes them as they finish (and records the order).
/// </summary>
public sealed class Session
{
    private readonly IServer _server;
    private readonly IReadOnlyList<IWorker> _workers;
    private readonly IReadOnlyList<Link> _links;
    private readonly bool _asynchronous;
    private readonly ArrivalSchedule _schedule;
    private readonly Payload[] _inFlight;

    /// <summary>Answers still being computed (a live schedule's); each becomes <see cref="_inFlight"/> once taken.</summary>
    private readonly Task<Payload>?[] _computing;
    private readonly int _parallelism;
    private readonly long _largestBudget;
    private readonly long _budgetSum;
    private bool _started;
    private long _setupTicks;
    private long _roundTicks;
    private long _serverTicks;
    private long _workerTicks;

    /// <param name="parallelism">
    /// Threads that run the K workers of a synchronous round at once (each worker and link is used by one thread; the
    /// server still takes the messages in link order, so results do not depend on it).
    /// </param>
    public Session(IServer server, IReadOnlyList<IWorker> workers, IReadOnlyList<Link> links, bool asynchronous = false, ArrivalSchedule? schedule = null, int parallelism = 1)
    {
        if (parallelism < 1)
        {
            Guard.Throw($"the parallelism must be at least 1, got {parallelism}.");
        }

        _parallelism = parallelism;
        if (workers.Count != server.Workers || links.Count != server.Workers)
        {
            Guard.Throw($"the server has {server.Workers} links, but the session got {workers.Count} workers and {links.Count} links.");
        }

        _server = server;
        _workers = workers;
        _links = links;
        for (var k = 0; k < workers.Count; k++)
        {
            (workers[k] as ILinkBound)?.Bind(links[k]);
        }

        _asynchronous = asynchronous;
        _schedule = schedule ?? ArrivalSchedule.RoundRobin();
        if (_schedule.IsLive && !asynchronous)
        {
            Guard.Throw($"arrival schedule '{_schedule.Name}' is for asynchronous sessions; a synchronous round waits for every worker.");
        }

        _inFlight = new Payload[workers.Count];
        _computing = new Task<Payload>?[workers.Count];
        _largestBudget = links.Max(l => l.UplinkBudgetBits);
        _budgetSum = links.Sum(l => l.UplinkBudgetBits);
    }

    public IReadOnlyList<Link> Links => _links;

    public IServer Server => _server;

    /// <summary>The worker of each arrival so far when the schedule is live (null otherwise).</summary>
    public IReadOnlyList<int>? Arrivals => _schedule.Recorded;

    /// <summary>Where this session's wall time went so far (not part of its state: a restored session starts at zero).</summary>
    public RunTiming Timing => new(
        Stopwatch.GetElapsedTime(0, _setupTicks).TotalSeconds,
        Stopwatch.GetElapsedTime(0, _roundTicks).TotalSeconds,
        Stopwatch.GetElapsedTime(0, _serverTicks).TotalSeconds,
        Stopwatch.GetElapsedTime(0, _workerTicks).TotalSeconds);

    /// <summary>Exchanges x̂_0, the setups and, asynchronously, the go messages and the first gradients.</summary>
    public void Start()
    {
        if (_started)
        {
            Guard.Throw("the session has already started.");
        }

        var begun = Stopwatch.GetTimestamp();
        var opening = _server.Open();
        _serverTicks += Stopwatch.GetTimestamp() - begun;
        var target = ReplyTarget.None;
        for (var k = 0; k < _workers.Count; k++)
        {
            target = Deliver(k, _links[k].SendUplink(Work(k, _links[k].SendDownlink(opening))));
        }

        if (target != ReplyTarget.All)
        {
            Guard.Throw("the server did not answer the setups.");
        }

        if (_asynchronous)
        {
            ExchangeAll();
        }

        _setupTicks += Stopwatch.GetTimestamp() - begun;
        _started = true;
    }

    /// <summary>One synchronous round (K messages, one update) or one asynchronous arrival (one message, one update).</summary>
    public void Round()
    {
        if (!_started)
        {
            Guard.Throw("call Start before the first round.");
        }

        if (_asynchronous)
        {
            var k = _schedule.IsLive ? _schedule.Next(_computing.Select((c, i) => c ?? Task.FromResult(_inFlight[i])).ToArray()) : _schedule.Next(_workers.Count);
            switch (Deliver(k, InFlight(k)))
            {
                case ReplyTarget.Sender:
                    Dispatch(k);
                    return;
                case ReplyTarget.All:
                    Barrier(k);
                    return;
                default:
                    Guard.Throw("the server did not answer an asynchronous message.");
                    return;
            }
        }

        if (_parallelism > 1 && _workers.Count > 1)
        {
            ExchangeInParallel();
        }

        for (var k = 0; k < _workers.Count; k++)
        {
            var reply = Deliver(k, _parallelism > 1 && _workers.Count > 1 ? _inFlight[k] : Exchange(k));
            if ((k < _workers.Count - 1) != (reply == ReplyTarget.None))
            {
                Guard.Throw("the server did not close the synchronous round after its last worker.");
            }
        }
    }

    /// <summary>
    /// An asynchronous server's barrier (it answered worker <paramref name="arrived"/> with <see cref="ReplyTarget.All"/>):
    /// the other workers' messages in flight arrive in link order (the server answers none of them), then one
    /// synchronous round (every worker answers the server's message; the last one's handling must again answer all),
    /// then every worker gets the server's message and its answer goes in flight: asynchronous arrivals resume.
    /// Variance-reduced methods use it for an epoch's snapshot and full gradient.
    /// </summary>
    private void Barrier(int arrived)
    {
        for (var k = 0; k < _workers.Count; k++)
        {
            if (k != arrived && Deliver(k, InFlight(k)) != ReplyTarget.None)
            {
                Guard.Throw("the server answered a message that arrived during its barrier.");
            }
        }

        ExchangeAll();
        for (var k = 0; k < _workers.Count; k++)
        {
            var reply = Deliver(k, InFlight(k));
            if (reply != (k < _workers.Count - 1 ? ReplyTarget.None : ReplyTarget.All))
            {
                Guard.Throw("the server did not close its barrier's synchronous round after its last worker.");
            }
        }

        ExchangeAll();
    }

    /// <summary>
    /// Hands link <paramref name="k"/>'s message to the server; a refusal that does not say where (e.g. a message cut
    /// short, found by the bit reader) is named by the server and link. A server refuses a message before it changes state.
    /// </summary>
    private ReplyTarget Deliver(int k, Payload message)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return _server.Handle(k, message);
        }
        catch (DiffQuantException e) when (!e.Message.StartsWith("server", StringComparison.Ordinal))
        {
            throw new DiffQuantException($"server (link {k}): {e.Message}", e);
        }
        finally
        {
            _serverTicks += Stopwatch.GetTimestamp() - start;
        }
    }

    /// <summary>Every worker answers the server's pending message (in parallel when allowed); the answers go in flight.</summary>
    private void ExchangeAll()
    {
        if (_schedule.IsLive)
        {
            for (var k = 0; k < _workers.Count; k++)
            {
                Dispatch(k);
            }

            return;
        }

        if (_parallelism > 1 && _workers.Count > 1)
        {
            ExchangeInParallel();
            return;
        }

        for (var k = 0; k < _workers.Count; k++)
        {
            Exchange(k);
        }
    }

    /// <summary>Every link's downlink in order (the server's buffers are not shared across threads), then the workers at once.</summary>
    private void ExchangeInParallel()
    {
        var downlinks = new Payload[_workers.Count];
        for (var k = 0; k < _workers.Count; k++)
        {
            downlinks[k] = _links[k].SendDownlink(Outgoing(k));
        }

        try
        {
            Parallel.For(0, _workers.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
                _inFlight[k] = _links[k].SendUplink(Work(k, downlinks[k])));
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DiffQuantException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>
    /// Runs until a stop criterion is met; <paramref name="referee"/> measures accuracy when x* is known and
    /// <paramref name="progress"/> hears (t, relative error) after each iteration; <paramref name="evaluator"/> measures the
    /// final iterate. A restored session continues; given <paramref name="earlier"/>, the relative errors of iterations
    /// 0..t of the run it continues (t its iteration), its result covers the whole run (history, rate, stall window).
    /// </summary>
    public RunResult Run(StopRule stop, AccuracyReferee? referee, Action<int, double>? progress = null, IEvaluator? evaluator = null, IReadOnlyList<double>? earlier = null)
    {
        var criteria = stop.Criteria();
        if (stop.NeedsReferee && referee is null)
        {
            Guard.Throw("an accuracy target or stall window needs a problem with a known solution.");
        }

        if (!_started)
        {
            var setupBits = (long)_workers.Count * SetupMessage.Bits;
            if (stop.MaxUplinkBits < setupBits)
            {
                Guard.Throw($"the bit budget of {stop.MaxUplinkBits} bits is below the {setupBits} bits of the setup messages ({_workers.Count} × {SetupMessage.Bits}).");
            }

            Start();
        }

        if (earlier is not null && earlier.Count != _server.Iterations + 1)
        {
            Guard.Throw($"a continued run needs the errors of iterations 0..{_server.Iterations}, got {earlier.Count}.");
        }

        var startIteration = _server.Iterations - ((earlier?.Count ?? 1) - 1);
        var history = earlier is null ? [referee?.RelativeError(_server.Iterate) ?? double.NaN] : new List<double>(earlier);
        var best = history[0];
        var bestAt = startIteration;
        for (var i = 1; i < history.Count; i++)
        {
            if (!(history[i] >= best))
            {
                (best, bestAt) = (history[i], startIteration + i);
            }
        }

        ExitReason reason;
        while (true)
        {
            var t = _server.Iterations;
            var state = new RunProgress(t, history[^1], t - bestAt, UplinkBits, NextRoundBits, AllFinite(_server.Iterate));
            ExitReason? met = null;
            for (var c = 0; c < criteria.Count; c++)
            {
                if (criteria[c].Check(state) is { } r)
                {
                    met = r;
                    break;
                }
            }

            if (met is { } stopNow)
            {
                reason = stopNow;
                break;
            }

            if (!_server.CanContinue)
            {
                reason = ExitReason.RangeExhausted;
                break;
            }

            var roundStart = Stopwatch.GetTimestamp();
            Round();
            _roundTicks += Stopwatch.GetTimestamp() - roundStart;
            var error = referee?.RelativeError(_server.Iterate) ?? double.NaN;
            history.Add(error);
            progress?.Invoke(_server.Iterations, error);
            if (!(error >= best))
            {
                best = error;
                bestAt = _server.Iterations;
            }
        }

        Settle();
        var iterations = _server.Iterations;
        var final = history[^1];
        var ran = iterations - startIteration;
        return new RunResult
        {
            ExitReason = reason,
            Iterations = iterations,
            Iterate = _server.Iterate.ToArray(),
            RelativeError = final,
            EmpiricalRate = ran == 0 || double.IsNaN(final) ? double.NaN : Math.Min(1, Math.Pow(final / history[0], 1.0 / ran)),
            ErrorHistory = [.. history],
            UplinkBits = UplinkBits,
            SetupBits = _links.Sum(l => l.Uplink.SetupBits),
            MaxMessageBits = _links.Max(l => l.Uplink.MaxMessageBits),
            DownlinkBits = _links.Sum(l => l.Downlink.TotalBits),
            FramingBits = _links.Sum(l => l.Uplink.FramingBits + l.Downlink.FramingBits),
            Overloads = _workers.Sum(w => w.Overloads),
            Links = [.. _links.Select(l => new LinkReport(l.Id, l.UplinkBudgetBits, l.Uplink.State, l.Downlink.State))],
            Evaluation = evaluator?.Evaluate(_server.Iterate),
            Timing = Timing,
        };
    }

    /// <summary>The whole run's state: server, workers, link meters, schedule and messages in flight.</summary>
    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("session");
        writer.Write(_workers.Count);
        writer.Write(_asynchronous);
        writer.Write(_started);
        writer.Write(_schedule.Position);
        var recorded = _schedule.Recorded ?? [];
        writer.Write(recorded.Count);
        foreach (var k in recorded)
        {
            writer.Write(k);
        }

        writer.Write(_server.Snapshot());
        for (var k = 0; k < _workers.Count; k++)
        {
            writer.Write(_workers[k].Snapshot());
            foreach (var state in new[] { _links[k].Uplink.State, _links[k].Downlink.State })
            {
                foreach (var value in new[] { state.Messages, state.TotalBits, state.SetupBits, state.FramingBits, state.MaxMessageBits })
                {
                    writer.Write(value);
                }
            }

            var inFlight = InFlight(k);
            writer.Write(inFlight.BitLength);
            writer.Write(inFlight.Bytes.Span);
        }

        return writer.ToArray();
    }

    /// <summary>Restores a <see cref="Snapshot"/> into this fresh session of new objects built alike.</summary>
    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        if (_started)
        {
            Guard.Throw("restore a snapshot into a fresh session, not one that has started.");
        }

        var reader = new SnapshotReader(snapshot, "session");
        reader.Expect(reader.ReadInt32(), _workers.Count, "the number of workers");
        reader.Expect(reader.ReadBoolean(), _asynchronous, "the asynchronous mode");
        var started = reader.ReadBoolean();
        var position = reader.ReadInt64();
        var recorded = new int[reader.ReadInt32()];
        for (var i = 0; i < recorded.Length; i++)
        {
            recorded[i] = reader.ReadInt32();
        }

        _schedule.Restore(position, recorded);
        _server.Restore(reader.ReadBytes());
        for (var k = 0; k < _workers.Count; k++)
        {
            _workers[k].Restore(reader.ReadBytes());
            var meters = new LinkMeterState[2];
            for (var d = 0; d < 2; d++)
            {
                meters[d] = new LinkMeterState(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            }

            _links[k].RestoreMeters(meters[0], meters[1]);
            var bits = reader.ReadInt64();
            var bytes = reader.ReadBytes();
            if (bytes.Length != Payload.ByteCount(bits))
            {
                Guard.Throw("the session snapshot is malformed: a message in flight does not match its length.");
            }

            _inFlight[k] = new Payload(bytes, bits);
        }

        reader.End();
        _started = started;
    }

    private long UplinkBits
    {
        get
        {
            long total = 0;
            for (var k = 0; k < _links.Count; k++)
            {
                total += _links[k].Uplink.TotalBits;
            }

            return total;
        }
    }

    /// <summary>The most information bits the next round can carry: K message bodies, or one plus its informative version.</summary>
    private long NextRoundBits => _asynchronous ? _largestBudget + Envelope.VersionBits : _budgetSum;

    /// <summary>Sends link k's pending downlink and carries the worker's answer up (in flight until handled).</summary>
    private Payload Exchange(int k) =>
        _inFlight[k] = _links[k].SendUplink(Work(k, _links[k].SendDownlink(Outgoing(k))));

    /// <summary>
    /// An asynchronous exchange: with a live schedule the worker computes its answer on the thread pool while the server
    /// goes on (the downlink is sent here, in order; the uplink when the answer is done), else at once.
    /// </summary>
    private void Dispatch(int k)
    {
        if (!_schedule.IsLive)
        {
            Exchange(k);
            return;
        }

        var downlink = _links[k].SendDownlink(Outgoing(k));
        _computing[k] = Task.Run(() => _links[k].SendUplink(Work(k, downlink)));
    }

    /// <summary>
    /// Waits for the answers workers are still computing (a live schedule's), so that link meters and workers are at rest
    /// and read the same as a deterministic schedule's at this point: every worker has computed its message in flight.
    /// </summary>
    public void Settle()
    {
        for (var k = 0; k < _workers.Count; k++)
        {
            InFlight(k);
        }
    }

    /// <summary>Link k's message in flight, waiting for it while its worker is still computing (its failure is thrown here).</summary>
    private Payload InFlight(int k)
    {
        if (_computing[k] is { } computing)
        {
            _computing[k] = null;
            _inFlight[k] = computing.GetAwaiter().GetResult();
        }

        return _inFlight[k];
    }

    private Payload Outgoing(int k)
    {
        var start = Stopwatch.GetTimestamp();
        var message = _server.Outgoing(k);
        _serverTicks += Stopwatch.GetTimestamp() - start;
        return message;
    }

    /// <summary>Worker <paramref name="k"/>'s answer, timed (workers of a round may answer on several threads at once).</summary>
    private Payload Work(int k, Payload downlink)
    {
        var start = Stopwatch.GetTimestamp();
        var reply = _workers[k].Handle(downlink);
        Interlocked.Add(ref _workerTicks, Stopwatch.GetTimestamp() - start);
        return reply;
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
