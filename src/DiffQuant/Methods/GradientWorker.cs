using System.Numerics.Tensors;
using DiffQuant.Bits;
using DiffQuant.Objectives;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Methods;

/// <summary>
/// Worker k of every method. With the decoded iterates x̃_t, p_t = x̃_t + γ(x̃_t − x̃_{t−1}) for AGD (x̃_t
/// otherwise) and its own errors e = q − u, it takes the gradient of its f_k at the point z its
/// <see cref="Compensation"/> chooses, subtracts the compensation c and, with several workers, its shift h_k,
/// and quantizes u = ∇f_k(z) − c − h_k with the range both ends compute (h_k ← h_k + q). Messages: it answers
/// the opening x̂_0 with its setup (L_k, μ_k, scale), the go message (η, γ, R_k) with q_0, and each x̃_t with q_t,
/// every message in an envelope of its kind and the version of the iterate it was computed at. With
/// <see cref="DownlinkContent.Relay"/> it keeps a replica of the server: the go message brings the other workers'
/// setups, each round's downlink their message bodies, and the replica applies them with its own message in link
/// order, so x̃_t is the server's x̂_t exactly.
/// </summary>
public sealed class GradientWorker : IWorker
{
    private readonly MethodConfig _config;
    private readonly int _link;
    private readonly IGradientOracle _objective;
    private readonly double _l;
    private readonly double _mu;
    private readonly Func<ReadOnlySpan<double>, double>? _distanceBound;
    private readonly IQuantizer _downlink;
    private readonly BitWriter _writer = new();
    private readonly double[] _current;
    private readonly double[] _previous;
    private readonly double[] _point;
    private readonly double[] _input;
    private readonly double[] _quantized;
    private readonly double[] _error;
    private readonly double[] _memory;
    private readonly double[] _correction;
    private readonly double[] _shift;
    private Phase _phase;
    private SetupMessage _setup;
    private GoMessage _go;
    private LinkCodec? _codec;
    private int _version;
    private GradientServer? _replica;
    private Payload _sent;
    private readonly BitWriter _relayed = new();

    /// <param name="link">k, this worker's link (it seeds the link's shared randomness).</param>
    /// <param name="l">L_k of this worker's f_k.</param>
    /// <param name="mu">μ_k of this worker's f_k (0 allowed with several workers).</param>
    /// <param name="distanceBound">D(x̂_0) ≥ ‖x̂_0 − x*‖, needed by one-worker worst-case and paper schedules.</param>
    public GradientWorker(MethodConfig config, int link, IGradientOracle objective, double l, double mu, Func<ReadOnlySpan<double>, double>? distanceBound)
    {
        config.Validate();
        Guard.SameLength(objective.Dimension, config.Dimension, "the objective's dimension");
        if ((uint)link >= (uint)config.Workers)
        {
            Guard.Throw($"worker index {link} is outside 0..{config.Workers - 1}.");
        }

        _config = config;
        _link = link;
        _objective = objective;
        _l = l;
        _mu = mu;
        _distanceBound = distanceBound;
        _downlink = config.Downlink.Create(config.Dimension);
        var n = config.Dimension;
        _current = new double[n];
        _previous = new double[n];
        _point = new double[n];
        _input = new double[n];
        _quantized = new double[n];
        _error = new double[n];
        _memory = new double[n];
        _correction = new double[n];
        _shift = new double[config.Shifted ? n : 0];
    }

    private enum Phase
    {
        AwaitOpening,
        AwaitGo,
        Running,
    }

    public long Overloads { get; private set; }

    /// <summary>e_{t−1}, the last quantization error (for checking the DQ invariant).</summary>
    public ReadOnlySpan<double> LastError => _error;

    private string Receiver => $"worker {_link}";

    public Payload Handle(Payload downlink)
    {
        var reader = new BitReader(downlink);
        switch (_phase)
        {
            case Phase.AwaitOpening:
                Envelope.Open(ref reader, MessageKind.Opening, Receiver).ExpectVersion(0, Receiver);
                ReadIterate(ref reader);
                _current.CopyTo(_previous.AsSpan());
                _replica = _config.DownlinkContent == DownlinkContent.Relay ? new GradientServer(_config, _current) : null;

                // The replica opens as the server did, so that its record of the sent iterates starts at x̂_0 too.
                _replica?.Open();
                _setup = SetupMessage.Create(_l, _mu, Scale());
                Envelope.Begin(_writer, MessageKind.Setup, 0);
                _setup.Write(_writer);
                _phase = Phase.AwaitGo;
                return _writer.ToPayload();
            case Phase.AwaitGo:
                Envelope.Open(ref reader, MessageKind.Go, Receiver).ExpectVersion(0, Receiver);
                _go = GoMessage.Read(ref reader, _replica is null ? 0 : (long)(_config.Workers - 1) * SetupMessage.Bits);
                if (_replica is not null)
                {
                    StartReplica(ref reader);
                }

                _codec = new LinkCodec(_config, _link, _setup, Tuning, _go.Rate);
                _phase = Phase.Running;
                return Step(0);
            default:
                var envelope = Envelope.Open(ref reader, MessageKind.Iterate, Receiver);
                if (_config.Mode.Asynchronous ? envelope.Version <= _version : envelope.Version != _version + 1)
                {
                    Guard.Throw($"{Receiver}: iterate version {envelope.Version} arrived after version {_version}.");
                }

                _current.CopyTo(_previous.AsSpan());
                if (_replica is null)
                {
                    ReadIterate(ref reader);
                }
                else
                {
                    ApplyRelayed(ref reader, envelope.Version);
                }

                _version = envelope.Version;
                return Step(_codec!.NeedsIterateStep ? IterateStep.Norm(_current, _previous, _point) : 0);
        }
    }

    private Tuning Tuning => new(_go.StepSize, _go.Gamma, double.NaN);

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("worker");
        writer.Write(_config.Method.Name);
        writer.Write(_link);
        writer.Write((int)_phase);
        writer.Write(_version);
        writer.Write(Overloads);
        foreach (var value in new[] { _setup.L, _setup.Mu, _setup.Scale, _go.StepSize, _go.Gamma, _go.Rate })
        {
            writer.Write(value);
        }

        foreach (var vector in new[] { _current, _previous, _error, _memory, _shift })
        {
            writer.Write(vector);
        }

        _codec?.Save(writer);
        writer.Write(_replica is not null);
        writer.Write(_replica?.Snapshot() ?? []);
        writer.Write(_sent.BitLength);
        writer.Write(_sent.Bytes.Span);
        return writer.ToArray();
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "worker");
        reader.Expect(reader.ReadString(), _config.Method.Name, "the method");
        reader.Expect(reader.ReadInt32(), _link, "the worker index");
        var phase = reader.ReadInt32();
        if (phase is < (int)Phase.AwaitOpening or > (int)Phase.Running)
        {
            Guard.Throw($"the worker snapshot is malformed: phase {phase}.");
        }

        _phase = (Phase)phase;
        _version = reader.ReadInt32();
        Overloads = reader.ReadInt64();
        _setup = new SetupMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        _go = new GoMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        reader.ReadDoubles(_current, "the iterate");
        reader.ReadDoubles(_previous, "the previous iterate");
        reader.ReadDoubles(_error, "the error memory");
        reader.ReadDoubles(_memory, "the compensation's memory");
        reader.ReadDoubles(_shift, "the shift");
        _codec = _phase == Phase.Running ? new LinkCodec(_config, _link, _setup, Tuning, _go.Rate) : null;
        _codec?.Load(reader);
        var replica = reader.ReadBoolean();
        var state = reader.ReadBytes();
        if (replica != (_config.DownlinkContent == DownlinkContent.Relay && _phase != Phase.AwaitOpening))
        {
            Guard.Throw("the worker snapshot does not match its downlink: a relay worker keeps a replica of the server once opened.");
        }

        _replica = replica ? new GradientServer(_config, new double[_config.Dimension]) : null;
        _replica?.Restore(state);
        var bits = reader.ReadInt64();
        var bytes = reader.ReadBytes();
        if (bits < 0 || bytes.Length != Payload.ByteCount(bits))
        {
            Guard.Throw("the worker snapshot is malformed: its last message does not match its length.");
        }

        _sent = new Payload(bytes, bits);
        reader.End();
    }

    /// <summary>
    /// The replica takes every worker's setup (its own, the others' from the go message) and tunes itself as the server
    /// did; the go message's η, γ and R_k must be what it derived.
    /// </summary>
    private void StartReplica(ref BitReader reader)
    {
        for (var j = 0; j < _config.Workers; j++)
        {
            var setup = j == _link ? _setup : SetupMessage.Read(ref reader, (long)(_config.Workers - 1 - j - (j < _link ? 1 : 0)) * SetupMessage.Bits);
            Envelope.Begin(_relayed, MessageKind.Setup, 0);
            setup.Write(_relayed);
            _replica!.Handle(j, _relayed.ToPayload());
        }

        if (_replica!.Tuning is not { } tuning || tuning.StepSize != _go.StepSize || tuning.Gamma != _go.Gamma || _replica.Rates[_link] != _go.Rate)
        {
            Guard.Throw($"{Receiver}: the relayed setups do not give the go message's η, γ and rate.");
        }
    }

    /// <summary>The replica applies the round: the relayed bodies and this worker's own message, in link order; x̃ is its x̂.</summary>
    private void ApplyRelayed(ref BitReader reader, int version)
    {
        for (var j = 0; j < _config.Workers; j++)
        {
            var message = j == _link ? _sent : RelayedMessages.Read(ref reader, _replica!.BodyBudgetBits(j), MessageKind.Gradient, _version, _relayed);
            _replica!.Handle(j, message);
        }

        if (reader.Remaining != 0 || _replica!.Iterations != version)
        {
            Guard.Throw($"{Receiver}: the relayed round leaves {reader.Remaining} bits over and the replica at iteration {_replica!.Iterations}, not {version}.");
        }

        _replica.Iterate.CopyTo(_current);
    }

    private double Scale()
    {
        switch (RangePolicies.ScaleOf(_config))
        {
            case SetupScale.Distance:
                if (_distanceBound is null)
                {
                    Guard.Throw($"{Receiver}: the {RangePolicyNames.Name(_config.Range)} range needs D, a bound on ‖x̂_0 − x*‖; give D or use --range adaptive.");
                }

                var d = _distanceBound(_current);
                Guard.Positive(d, "D (the bound on ‖x̂_0 − x*‖)");
                return d;
            case SetupScale.InitialGradientNorm:
                _objective.Gradient(_current, _input);
                return PositiveScale(TensorPrimitives.Norm<double>(_input));
            default:
                _objective.Gradient(_current, _input);
                return PositiveScale(Math.Abs(TensorPrimitives.MaxMagnitude<double>(_input)));
        }
    }

    private double PositiveScale(double scale)
    {
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            Guard.Throw($"{Receiver}: the gradient at x̂_0 has size {scale}; a range cannot start from it (is x̂_0 already optimal for this shard?).");
        }

        return scale;
    }

    private void ReadIterate(ref BitReader reader)
    {
        if (reader.Remaining != _downlink.BudgetBits)
        {
            Guard.Throw($"{Receiver}: expected an iterate of {_downlink.BudgetBits} bits, got {reader.Remaining}.");
        }

        _downlink.Decode(ref reader, new QuantizerContext(1, 0, _downlink.BudgetBits), _current);
    }

    private Payload Step(double iterateStep)
    {
        var tuning = Tuning;
        var momentum = _config.Method.Momentum;
        if (momentum == Momentum.Nesterov)
        {
            // p = x̃_t + γ (x̃_t − x̃_{t−1})
            TensorPrimitives.Subtract(_current, _previous, _point);
            TensorPrimitives.MultiplyAdd(_point, tuning.Gamma, _current, _point);
        }
        else
        {
            _current.CopyTo(_point.AsSpan());
        }

        var corrected = _config.Method.Compensation.Prepare(_point, _correction, _current, _error, _memory, tuning, momentum);
        _objective.Gradient(_point, _input);
        if (corrected)
        {
            TensorPrimitives.Subtract(_input, _correction, _input);
        }

        if (_config.Shifted)
        {
            TensorPrimitives.Subtract(_input, _shift, _input);
        }

        Envelope.Begin(_writer, _config.Mode.Asynchronous ? MessageKind.AsyncGradient : MessageKind.Gradient, _version);
        Overloads += _codec!.Encode(_input, iterateStep, _writer, _quantized);
        _config.Method.Compensation.Remember(_error, _memory, _quantized, _input, tuning);
        if (_config.Shifted)
        {
            TensorPrimitives.Add(_shift, _quantized, _shift);
        }

        var message = _writer.ToPayload();
        if (_replica is not null)
        {
            // The replica applies this message with the round's others: keep it out of the writer's reused buffer.
            _sent = new Payload(message.Bytes.ToArray(), message.BitLength);
        }

        return message;
    }
}
