using System.Numerics.Tensors;
using DiffQuant.Bits;
using DiffQuant.Quantization;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Methods;

/// <summary>
/// The server of every method and worker count: x̂_{t+1} = x̂_t + γ_s (x̂_t − x̂_{t−1}) − η ĝ with γ_s = γ for HB
/// and AGD and 0 for GD. ĝ_k is decoded from worker k's bits with the range both ends compute (plus the
/// shift h_k ← h_k + q_k it keeps with several workers); synchronous: ĝ = Σ_k ĝ_k once all K arrived,
/// asynchronous: one update per message with ĝ = (1/K) Σ_k of every worker's latest ĝ_k, refusing a message
/// computed more than τ updates ago. It tunes η and γ from
/// the setups alone (L = Σ L_k and μ = Σ μ_k, which bound the spectrum of f = Σ f_k) and sends them with
/// each worker's rate in the go message. With <see cref="DownlinkContent.Relay"/> it sends each worker the other
/// workers' message bodies of the round (and, with the go message, their setups) instead of x̂_t: the worker's own
/// replica of this server applies them and holds x̂_t exactly.
/// </summary>
public sealed class GradientServer : IServer
{
    private readonly MethodConfig _config;
    private readonly IQuantizer _downlink;
    private readonly BitWriter _writer = new();
    private readonly double[] _iterate;
    private readonly double[] _previous;
    private readonly double[] _broadcast;
    private readonly double[] _broadcastPrevious;
    private readonly double[] _decoded;
    private readonly double[] _aggregate;
    private readonly double[] _scratch;
    private readonly SetupMessage?[] _setups;
    private readonly LinkCodec?[] _codecs;
    private readonly double[][] _shifts;
    private readonly bool[] _received;
    private readonly double[] _rates;
    private readonly bool _relay;

    /// <summary>The bodies of the round in progress, and of the last finished round (what a relay downlink sends).</summary>
    private readonly Payload[] _incoming;
    private readonly Payload[] _bodies;
    private int _arrived;
    private bool _running;
    private bool _goPending;
    private double _iterateStep;
    private Tuning _tuning;

    public GradientServer(MethodConfig config, ReadOnlySpan<double> initialIterate)
    {
        config.Validate();
        Guard.SameLength(initialIterate.Length, config.Dimension, "the initial iterate");
        Guard.AllFinite(initialIterate, "the initial iterate");
        _config = config;
        var (n, k) = (config.Dimension, config.Workers);
        _downlink = config.Downlink.Create(n);
        _iterate = initialIterate.ToArray();
        _previous = initialIterate.ToArray();
        _broadcast = new double[n];
        _broadcastPrevious = new double[n];
        _decoded = new double[n];
        _aggregate = new double[n];
        _scratch = new double[n];
        _setups = new SetupMessage?[k];
        _codecs = new LinkCodec?[k];
        _shifts = [.. Enumerable.Range(0, k).Select(_ => new double[config.Shifted ? n : 0])];
        _received = new bool[k];
        _rates = new double[k];
        _relay = config.DownlinkContent == DownlinkContent.Relay;
        _incoming = new Payload[k];
        _bodies = new Payload[k];
    }

    public int Workers => _config.Workers;

    public ReadOnlySpan<double> Iterate => _iterate;

    public int Iterations { get; private set; }

    /// <summary>The setups as received (null until each has arrived).</summary>
    public IReadOnlyList<SetupMessage?> Setups => _setups;

    /// <summary>The tuning the server derived from the setups, once all arrived.</summary>
    public Tuning? Tuning => _running ? _tuning : null;

    /// <summary>R_k, once all setups arrived.</summary>
    public IReadOnlyList<double> Rates => _rates;

    /// <summary>The most body bits a gradient message of link <paramref name="link"/> holds (its quantizer's budget), once running.</summary>
    public long BodyBudgetBits(int link) => _codecs[link]?.Quantizer.BudgetBits ?? throw new DiffQuantException("server: the links' codecs exist once every setup has arrived.");

    public bool CanContinue
    {
        get
        {
            for (var k = 0; _running && k < _codecs.Length; k++)
            {
                if (!_codecs[k]!.CanContinue(_iterateStep))
                {
                    return false;
                }
            }

            return true;
        }
    }

    public Payload Open()
    {
        Broadcast(MessageKind.Opening, 0);
        return _writer.ToPayload();
    }

    public ReplyTarget Handle(int link, Payload uplink)
    {
        if ((uint)link >= (uint)Workers)
        {
            Guard.Throw($"server: no link {link}; links are 0..{Workers - 1}.");
        }

        var receiver = $"server (link {link})";
        var reader = new BitReader(uplink);
        if (!_running)
        {
            Envelope.Open(ref reader, MessageKind.Setup, receiver).ExpectVersion(0, receiver);
            if (_setups[link] is not null)
            {
                Guard.Throw($"{receiver}: a second setup message.");
            }

            _setups[link] = SetupMessage.Read(ref reader);
            if (++_arrived < Workers)
            {
                return ReplyTarget.None;
            }

            StartRunning();
            return ReplyTarget.All;
        }

        var asynchronous = _config.Mode.Asynchronous;
        var envelope = Envelope.Open(ref reader, asynchronous ? MessageKind.AsyncGradient : MessageKind.Gradient, receiver);
        if (asynchronous)
        {
            if (envelope.Version > Iterations)
            {
                Guard.Throw($"{receiver}: a gradient at version {envelope.Version}, ahead of the server's {Iterations}.");
            }

            if (Iterations - envelope.Version > _config.Mode.MaxStaleness)
            {
                Guard.Throw($"{receiver}: a gradient computed at version {envelope.Version} is {Iterations - envelope.Version} updates stale, more than the bound τ = {_config.Mode.MaxStaleness}.");
            }
        }
        else
        {
            envelope.ExpectVersion(Iterations, receiver);
            if (_received[link])
            {
                Guard.Throw($"{receiver}: a second gradient for iteration {Iterations}.");
            }
        }

        _codecs[link]!.Decode(ref reader, _iterateStep, _decoded);
        if (reader.Remaining != 0)
        {
            Guard.Throw($"{receiver}: the message has {reader.Remaining} bits left over after decoding.");
        }

        if (_relay)
        {
            _incoming[link] = RelayedMessages.Body(uplink);
        }

        // ĝ_k = h_k + q_k, and h_k ← ĝ_k.
        var estimate = _decoded;
        if (_config.Shifted)
        {
            TensorPrimitives.Add(_shifts[link], _decoded, _shifts[link]);
            estimate = _shifts[link];
        }

        if (asynchronous)
        {
            // With shifts the server holds every worker's latest ĝ_k: step along their sum (SAG-style), so
            // a fixed point is a zero of ∇f = Σ ∇f_k, which one ĝ_k per update (incremental GD) would miss.
            if (_config.Shifted)
            {
                Array.Clear(_aggregate);
                foreach (var shift in _shifts)
                {
                    TensorPrimitives.Add(_aggregate, shift, _aggregate);
                }

                // K messages make one step of η along ∇f, as a synchronous round does.
                TensorPrimitives.Multiply(_aggregate, 1.0 / Workers, _aggregate);
                estimate = _aggregate;
            }

            Update(estimate);
            return ReplyTarget.Sender;
        }

        if (Workers == 1)
        {
            // One worker's estimate is the whole round's.
            Update(estimate);
            return ReplyTarget.All;
        }

        TensorPrimitives.Add(_aggregate, estimate, _aggregate);
        _received[link] = true;
        if (++_arrived < Workers)
        {
            return ReplyTarget.None;
        }

        Update(_aggregate);
        Array.Clear(_aggregate);
        Array.Clear(_received);
        _arrived = 0;
        return ReplyTarget.All;
    }

    public Payload Outgoing(int link)
    {
        if ((uint)link >= (uint)Workers)
        {
            Guard.Throw($"server: no link {link}; links are 0..{Workers - 1}.");
        }

        if (_goPending)
        {
            Envelope.Begin(_writer, MessageKind.Go, 0);
            new GoMessage(_tuning.StepSize, _tuning.Gamma, _rates[link]).Write(_writer);
            for (var j = 0; _relay && j < Workers; j++)
            {
                if (j != link)
                {
                    _setups[j]!.Value.Write(_writer);
                }
            }
        }
        else if (_relay && _running)
        {
            Envelope.Begin(_writer, MessageKind.Iterate, Iterations);
            for (var j = 0; j < Workers; j++)
            {
                if (j != link)
                {
                    RelayedMessages.Write(_writer, _bodies[j], BodyBudgetBits(j));
                }
            }
        }

        return _writer.ToPayload();
    }

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("server");
        writer.Write(_config.Method.Name);
        writer.Write(Workers);
        writer.Write(_running);
        writer.Write(_goPending);
        writer.Write(Iterations);
        writer.Write(_arrived);
        writer.Write(_iterateStep);
        writer.Write(_tuning.StepSize);
        writer.Write(_tuning.Gamma);
        writer.Write(_tuning.Sigma);
        for (var k = 0; k < Workers; k++)
        {
            writer.Write(_setups[k] is not null);
            var setup = _setups[k].GetValueOrDefault();
            writer.Write(setup.L);
            writer.Write(setup.Mu);
            writer.Write(setup.Scale);
            writer.Write(_rates[k]);
            writer.Write(_received[k]);
            writer.Write(_shifts[k]);
        }

        foreach (var vector in new[] { _iterate, _previous, _broadcast, _broadcastPrevious, _aggregate })
        {
            writer.Write(vector);
        }

        foreach (var codec in _codecs)
        {
            codec?.Save(writer);
        }

        foreach (var body in _incoming.Concat(_bodies))
        {
            writer.Write(body.BitLength);
            writer.Write(body.Bytes.Span);
        }

        return writer.ToArray();
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "server");
        reader.Expect(reader.ReadString(), _config.Method.Name, "the method");
        reader.Expect(reader.ReadInt32(), Workers, "the number of workers");
        _running = reader.ReadBoolean();
        _goPending = reader.ReadBoolean();
        Iterations = reader.ReadInt32();
        _arrived = reader.ReadInt32();
        _iterateStep = reader.ReadDouble();
        _tuning = new Tuning(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        for (var k = 0; k < Workers; k++)
        {
            var present = reader.ReadBoolean();
            var setup = new SetupMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
            _setups[k] = present ? setup : null;
            _rates[k] = reader.ReadDouble();
            _received[k] = reader.ReadBoolean();
            reader.ReadDoubles(_shifts[k], "a shift");
        }

        reader.ReadDoubles(_iterate, "the iterate");
        reader.ReadDoubles(_previous, "the previous iterate");
        reader.ReadDoubles(_broadcast, "the sent iterate");
        reader.ReadDoubles(_broadcastPrevious, "the previously sent iterate");
        reader.ReadDoubles(_aggregate, "the round's aggregate");
        for (var k = 0; k < Workers; k++)
        {
            _codecs[k] = _running ? new LinkCodec(_config, k, _setups[k]!.Value, _tuning, _rates[k]) : null;
            _codecs[k]?.Load(reader);
        }

        for (var i = 0; i < 2 * Workers; i++)
        {
            var bits = reader.ReadInt64();
            var bytes = reader.ReadBytes();
            if (bits < 0 || bytes.Length != Payload.ByteCount(bits))
            {
                Guard.Throw("the server snapshot is malformed: a relayed body does not match its length.");
            }

            (i < Workers ? _incoming : _bodies)[i % Workers] = new Payload(bytes, bits);
        }

        reader.End();

        // The pending downlink is a function of the state: write it again.
        if (_running && !_goPending)
        {
            WriteIterate(MessageKind.Iterate, Iterations);
        }
        else if (!_running)
        {
            WriteIterate(MessageKind.Opening, 0);
        }
    }

    private void StartRunning()
    {
        var setups = _setups.Select(s => s!.Value).ToArray();
        _tuning = Methods.Tuning.For(_config.Method.Momentum, setups.Sum(s => s.L), setups.Sum(s => s.Mu), _config.StepSize, _config.Gamma);
        var rates = RateAllocation.Allocate(_config.Allocation, _config.Quantizer.Rate, [.. setups.Select(s => s.L)]);
        for (var k = 0; k < Workers; k++)
        {
            _rates[k] = rates[k];
            _codecs[k] = new LinkCodec(_config, k, setups[k], _tuning, rates[k]);
        }

        _running = true;
        _goPending = true;
        _arrived = 0;
    }

    private void Update(ReadOnlySpan<double> gradient)
    {
        // A round is over: its messages are what the next relay downlinks carry.
        _incoming.CopyTo(_bodies.AsSpan());

        if (_config.Method.Momentum == Momentum.None)
        {
            // x̂_{t+1} = x̂_t − η ĝ
            _iterate.CopyTo(_previous.AsSpan());
            TensorPrimitives.MultiplyAdd(gradient, -_tuning.StepSize, _iterate, _iterate);
        }
        else
        {
            // x̂_{t+1} = x̂_t + γ (x̂_t − x̂_{t−1}) − η ĝ
            TensorPrimitives.Subtract(_iterate, _previous, _scratch);
            TensorPrimitives.MultiplyAdd(_scratch, _tuning.Gamma, _iterate, _scratch);
            TensorPrimitives.MultiplyAdd(gradient, -_tuning.StepSize, _scratch, _scratch);
            _iterate.CopyTo(_previous.AsSpan());
            _scratch.CopyTo(_iterate.AsSpan());
        }

        Iterations++;
        _goPending = false;
        Broadcast(MessageKind.Iterate, Iterations);
    }

    /// <summary>Encodes x̂ as the next downlink and keeps what the workers will decode (x̃) and its step.</summary>
    private void Broadcast(MessageKind kind, int version)
    {
        _broadcast.CopyTo(_broadcastPrevious.AsSpan());
        WriteIterate(kind, version);
        if (kind == MessageKind.Opening)
        {
            _broadcast.CopyTo(_broadcastPrevious.AsSpan());
        }

        _iterateStep = _codecs[0]?.NeedsIterateStep == true ? IterateStep.Norm(_broadcast, _broadcastPrevious, _scratch) : 0;
    }

    private void WriteIterate(MessageKind kind, int version)
    {
        if (_relay && kind == MessageKind.Iterate)
        {
            // The workers' replicas hold x̂ itself; what is sent is built per link by Outgoing.
            _iterate.CopyTo(_broadcast.AsSpan());
            return;
        }

        Envelope.Begin(_writer, kind, version);
        _downlink.Encode(_iterate, new QuantizerContext(1, 0, _downlink.BudgetBits), _writer, _broadcast);
    }
}
