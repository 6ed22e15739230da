using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Training;
using DiffQuant.Methods;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Learning.DoubleQuantization;

/// <summary>
/// The server of asynchronous SVRG with double quantization (AsyLPG and its relatives). Each epoch starts with a
/// barrier: x̃ ← x is sent to every worker as binary32, each answers with its shard's full gradient ∇f_k(x̃) as
/// binary32, and the server keeps ∇f(x̃) = Σ_k n_k ∇f_k(x̃) / N. Then, asynchronously, a worker's message is the code
/// of its correction c = ∇f_a(x_read) − ∇f_a(x̃); the server forms α = ĉ + ∇f(x̃) (the paper's variance-reduced
/// gradient; ∇f(x̃) is added here, where it is known, rather than broadcast and quantized with c), refuses a message more
/// than τ updates stale, steps x ← x − (η/W)α (Acc-AsyLPG: v ← βv + α, x ← x − (η/W)(α + βv)) and answers that worker with a
/// model read in the method's <see cref="ModelCode"/>. An epoch is a pass's worth of updates (N / batch).
/// </summary>
public sealed class SvrgServer : ITrainingServer
{
    private readonly TrainOptions _options;
    private readonly AsyncMethod _method;
    private readonly ICompressor _decoder;
    private readonly ModelChannel _channel;
    private readonly BitWriter[] _writers;
    private readonly float[] _w;
    private readonly float[] _snapshot;
    private readonly float[] _fullGradient;
    private readonly double[] _accumulated;
    private readonly float[] _received;
    private readonly float[] _velocity;
    private readonly float[][] _reconstructions;
    private readonly int[] _readVersions;
    private readonly int[] _samples;
    private readonly bool[] _reported;
    private readonly double[] _iterate;
    private readonly float _feedbackScale;
    private Phase _phase;
    private int _arrived;

    /// <param name="updatesPerEpoch">m, the asynchronous updates between snapshots.</param>
    /// <param name="totalUpdates">The run's length: its last update opens no new epoch.</param>
    public SvrgServer(TrainOptions options, ReadOnlySpan<float> initial, int updatesPerEpoch, int totalUpdates)
    {
        if (updatesPerEpoch < 1)
        {
            Guard.Throw($"an epoch needs at least one update, got {updatesPerEpoch}.");
        }

        _options = options;
        _method = AsyncMethod.Parse(options.Method);
        Workers = options.Workers;
        UpdatesPerEpoch = updatesPerEpoch;
        TotalUpdates = totalUpdates;
        var p = initial.Length;
        _w = initial.ToArray();
        _snapshot = new float[p];
        _fullGradient = new float[p];
        _accumulated = new double[p];
        _received = new float[p];
        _velocity = new float[p];
        _reconstructions = [.. Enumerable.Range(0, Workers).Select(_ => (float[])_w.Clone())];
        _readVersions = new int[Workers];
        _samples = new int[Workers];
        _reported = new bool[Workers];
        _iterate = new double[p];
        _writers = [.. Enumerable.Range(0, Workers).Select(_ => new BitWriter())];
        _decoder = _method.Compressor(options, p);
        _feedbackScale = _method.FeedbackScale(_decoder);
        _channel = _method.Channel(options, p);
        Envelope.Begin(_writers[0], MessageKind.Opening, 0);
        _writers[0].WriteSingles(_w);
    }

    private enum Phase
    {
        Setup,

        /// <summary>Go sent; the first arrival opens the first epoch's barrier.</summary>
        Starting,

        /// <summary>Snapshot sent; waiting for every worker's full gradient (messages in flight are dropped).</summary>
        Barrier,
        Running,
    }

    public int Workers { get; }

    /// <summary>m.</summary>
    public int UpdatesPerEpoch { get; }

    public int TotalUpdates { get; }

    /// <summary>x as binary32.</summary>
    public ReadOnlySpan<float> Model => _w;

    public ReadOnlySpan<double> Iterate => LearningMessages.Widen(_w, _iterate);

    public int Iterations { get; private set; }

    /// <summary>Snapshots taken.</summary>
    public int Epochs { get; private set; }

    /// <summary>The largest staleness of an applied gradient.</summary>
    public int MaxStalenessSeen { get; private set; }

    /// <summary>Messages in flight at a barrier, received (and counted by the links) but not applied.</summary>
    public long Dropped { get; private set; }

    public bool CanContinue => true;

    public Payload Open() => _writers[0].ToPayload();

    public Payload Outgoing(int link) => _writers[_phase == Phase.Starting ? 0 : link].ToPayload();

    public ReplyTarget Handle(int link, Payload uplink)
    {
        var receiver = $"server (link {link})";
        var reader = new BitReader(uplink);
        switch (_phase)
        {
            case Phase.Setup:
                _samples[link] = LearningMessages.ReadSetup(ref reader, receiver);
                if (++_arrived < Workers)
                {
                    return ReplyTarget.None;
                }

                _arrived = 0;
                _phase = Phase.Starting;
                LearningMessages.WriteGo(_writers[0], _options.AsyncStep);
                return ReplyTarget.All;
            case Phase.Starting:
                Envelope.Open(ref reader, MessageKind.AsyncGradient, receiver);
                Dropped++;
                return BeginEpoch();
            case Phase.Barrier:
                if (Envelope.Peek(uplink).Kind == MessageKind.AsyncGradient)
                {
                    Envelope.Open(ref reader, MessageKind.AsyncGradient, receiver);
                    Dropped++;
                    return ReplyTarget.None;
                }

                return ReceiveFullGradient(link, ref reader, receiver);
            default:
                return Apply(link, ref reader, receiver);
        }
    }

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("svrg-server");
        writer.Write(_method.Name);
        writer.Write(Workers);
        writer.Write((int)_phase);
        writer.Write(Iterations);
        writer.Write(Epochs);
        writer.Write(_arrived);
        writer.Write(MaxStalenessSeen);
        writer.Write(Dropped);
        for (var k = 0; k < Workers; k++)
        {
            writer.Write(_samples[k]);
            writer.Write(_readVersions[k]);
            writer.Write(_reported[k]);
            writer.Write(MemoryMarshal.AsBytes<float>(_reconstructions[k]));
        }

        foreach (var vector in new[] { _w, _snapshot, _fullGradient, _velocity })
        {
            writer.Write(MemoryMarshal.AsBytes<float>(vector));
        }

        writer.Write(_accumulated);
        return writer.ToArray();
    }

    /// <summary>Restores a <see cref="Snapshot"/> taken between rounds (no barrier message is pending then).</summary>
    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "svrg-server");
        reader.Expect(reader.ReadString(), _method.Name, "the method");
        reader.Expect(reader.ReadInt32(), Workers, "the number of workers");
        var phase = reader.ReadInt32();
        if (phase is < (int)Phase.Setup or > (int)Phase.Running)
        {
            Guard.Throw($"the server snapshot is malformed: phase {phase}.");
        }

        _phase = (Phase)phase;
        Iterations = reader.ReadInt32();
        Epochs = reader.ReadInt32();
        _arrived = reader.ReadInt32();
        MaxStalenessSeen = reader.ReadInt32();
        Dropped = reader.ReadInt64();
        for (var k = 0; k < Workers; k++)
        {
            _samples[k] = reader.ReadInt32();
            _readVersions[k] = reader.ReadInt32();
            _reported[k] = reader.ReadBoolean();
            SgdWorker.Floats(reader.ReadBytes(), _reconstructions[k], "a worker's model copy");
        }

        foreach (var (vector, what) in new[] { (_w, "the model"), (_snapshot, "the snapshot"), (_fullGradient, "the full gradient"), (_velocity, "the velocity") })
        {
            SgdWorker.Floats(reader.ReadBytes(), vector, what);
        }

        reader.ReadDoubles(_accumulated, "the full-gradient sum");
        reader.End();
        if (_phase == Phase.Starting)
        {
            LearningMessages.WriteGo(_writers[0], _options.AsyncStep);
        }
    }

    /// <summary>x̃ ← x, the snapshot to every worker, and the barrier that collects the full gradients.</summary>
    private ReplyTarget BeginEpoch()
    {
        _w.CopyTo(_snapshot.AsSpan());
        Array.Clear(_accumulated);
        Array.Clear(_reported);
        Array.Clear(_velocity);
        _arrived = 0;
        _phase = Phase.Barrier;
        for (var k = 0; k < Workers; k++)
        {
            Envelope.Begin(_writers[k], MessageKind.Snapshot, Epochs);
            _writers[k].WriteSingles(_snapshot);
            _snapshot.CopyTo(_reconstructions[k].AsSpan());
        }

        return ReplyTarget.All;
    }

    private ReplyTarget ReceiveFullGradient(int link, ref BitReader reader, string receiver)
    {
        Envelope.Open(ref reader, MessageKind.FullGradient, receiver).ExpectVersion(Epochs, receiver);
        if (_reported[link])
        {
            Guard.Throw($"{receiver}: a second full gradient in epoch {Epochs}.");
        }

        LearningMessages.ReadModel(ref reader, _received, receiver);
        _reported[link] = true;
        double weight = _samples[link];
        for (var i = 0; i < _received.Length; i++)
        {
            _accumulated[i] += weight * _received[i];
        }

        if (++_arrived < Workers)
        {
            return ReplyTarget.None;
        }

        double total = _samples.Sum();
        for (var i = 0; i < _fullGradient.Length; i++)
        {
            _fullGradient[i] = (float)(_accumulated[i] / total);
        }

        _arrived = 0;
        Epochs++;
        _phase = Phase.Running;
        for (var k = 0; k < Workers; k++)
        {
            WriteRead(k);
        }

        return ReplyTarget.All;
    }

    private ReplyTarget Apply(int link, ref BitReader reader, string receiver)
    {
        var envelope = Envelope.Open(ref reader, MessageKind.AsyncGradient, receiver);
        envelope.ExpectVersion(_readVersions[link], receiver);
        var staleness = Iterations - envelope.Version;
        if (staleness > _options.MaxStaleness)
        {
            Guard.Throw($"{receiver}: a gradient computed at version {envelope.Version} is {staleness} updates stale, more than the bound τ = {_options.MaxStaleness}.");
        }

        _decoder.Decode(ref reader, new CompressionContext(envelope.Version, UplinkSeed(link)), _received);
        LearningMessages.ExpectEnd(ref reader, receiver);
        MaxStalenessSeen = Math.Max(MaxStalenessSeen, staleness);

        // α = ĉ/(1 + ω under feedback) + ∇f(x̃).
        TensorPrimitives.MultiplyAdd(_received, _feedbackScale, _fullGradient, _received);
        var eta = (float)_options.AsyncStep;
        if (_method.Momentum)
        {
            var beta = (float)_options.Momentum;
            TensorPrimitives.MultiplyAdd(_velocity, beta, _received, _velocity);
            TensorPrimitives.MultiplyAdd(_velocity, beta, _received, _received);
        }

        TensorPrimitives.MultiplyAdd(_received, -eta, _w, _w);
        Iterations++;
        if (Iterations % UpdatesPerEpoch == 0 && Iterations < TotalUpdates)
        {
            return BeginEpoch();
        }

        WriteRead(link);
        return ReplyTarget.Sender;
    }

    /// <summary>A model read for worker k at the current version.</summary>
    private void WriteRead(int link)
    {
        var writer = _writers[link];
        Envelope.Begin(writer, MessageKind.Iterate, Iterations);
        _channel.Write(writer, _w, _snapshot, _reconstructions[link], new CompressionContext(Iterations, DownlinkSeed(link)));
        _readVersions[link] = Iterations;
    }

    internal static ulong UplinkSeed(long seed, int link) => SharedUniform.LinkSeed((ulong)seed, link);

    internal static ulong DownlinkSeed(long seed, int link) => SharedUniform.LinkSeed((ulong)seed, link) ^ 0x9E6C63D0676A9A99UL;

    private ulong UplinkSeed(int link) => UplinkSeed(_options.Seed, link);

    private ulong DownlinkSeed(int link) => DownlinkSeed(_options.Seed, link);
}
