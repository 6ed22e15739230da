using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Methods;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Learning.Training;

/// <summary>
/// The server of distributed training: it holds w, sends it as P binary32 values, learns each worker's sample count
/// from its setup, sends η, and each synchronous round decodes the K gradient messages, steps
/// w ← w − η·(1/K)·Σ_k ĝ_k and sends w in the downlink's <see cref="ModelCode"/> (binary32 unless
/// <see cref="TrainOptions.Downlink"/> says otherwise). Only the payloads tell it about the data.
/// </summary>
public sealed class SgdServer : ITrainingServer
{
    private readonly TrainOptions _options;
    private readonly TrainingMethod _method;
    private readonly ICompressor[] _decoders;
    private readonly Dictionary<int, ICompressor>[] _dynamicDecoders;
    private readonly BitWriter _writer = new();
    private readonly BitWriter _goWriter = new();
    private readonly float[] _w;
    private readonly float[] _aggregate;
    private readonly float[] _decoded;
    private readonly double[] _iterate;
    private readonly float[] _reconstruction;
    private readonly ModelChannel _channel;
    private bool _modelPending;
    private readonly bool[] _received;
    private readonly int[] _samples;
    private bool _running;
    private bool _goPending;
    private int _arrived;

    public SgdServer(TrainOptions options, ReadOnlySpan<float> initial)
    {
        _options = options;
        _method = TrainingMethod.Parse(options.Method);
        Workers = options.Workers;
        var p = initial.Length;
        _w = initial.ToArray();
        _aggregate = new float[p];
        _decoded = new float[p];
        _iterate = new double[p];
        _received = new bool[Workers];
        _samples = new int[Workers];
        _decoders = [.. Enumerable.Range(0, Workers).Select(_ => Compressors.Create(_method.Compressor, options, p))];
        _dynamicDecoders = [.. Enumerable.Range(0, Workers).Select(_ => new Dictionary<int, ICompressor>())];
        _reconstruction = initial.ToArray();
        _channel = Compressors.Downlink(options, p);
        LearningMessages.WriteModel(_writer, MessageKind.Opening, 0, _w);
    }

    public int Workers { get; }

    /// <summary>w_t as binary32.</summary>
    public ReadOnlySpan<float> Model => _w;

    public ReadOnlySpan<double> Iterate => LearningMessages.Widen(_w, _iterate);

    public int Iterations { get; private set; }

    public bool CanContinue => true;

    /// <summary>The sample counts the workers reported in their setups.</summary>
    public IReadOnlyList<int> Samples => _samples;

    public Payload Open() => _writer.ToPayload();

    public ReplyTarget Handle(int link, Payload uplink)
    {
        var receiver = $"server (link {link})";
        var reader = new BitReader(uplink);
        if (!_running)
        {
            _samples[link] = LearningMessages.ReadSetup(ref reader, receiver);
            if (++_arrived < Workers)
            {
                return ReplyTarget.None;
            }

            _running = true;
            _goPending = true;
            _arrived = 0;
            LearningMessages.WriteGo(_goWriter, _options.LearningRate);
            return ReplyTarget.All;
        }

        Envelope.Open(ref reader, MessageKind.Gradient, receiver).ExpectVersion(Iterations, receiver);
        if (_received[link])
        {
            Guard.Throw($"{receiver}: a second gradient for iteration {Iterations}.");
        }

        var decoder = _decoders[link];
        if (_method.Compressor == CompressorKind.DynamicQsgd)
        {
            var bits = (int)reader.Read(DynamicBits.FieldBits) + 1;
            if (bits < DynamicBits.MinBits)
            {
                Guard.Throw($"{receiver}: DQ-SGD message with B = {bits} bits, below {DynamicBits.MinBits}.");
            }

            if (!_dynamicDecoders[link].TryGetValue(bits, out decoder))
            {
                decoder = Compressors.Create(CompressorKind.DynamicQsgd, _options, _w.Length, bits);
                _dynamicDecoders[link][bits] = decoder;
            }
        }

        decoder.Decode(ref reader, new CompressionContext(Iterations, SharedUniform.LinkSeed((ulong)_options.Seed, link)), _decoded);
        LearningMessages.ExpectEnd(ref reader, receiver);
        if (_method.Feedback != Feedback.None)
        {
            TensorPrimitives.Multiply(_decoded, (float)SgdWorker.FeedbackScale(decoder), _decoded);
        }

        TensorPrimitives.Add(_aggregate, _decoded, _aggregate);
        _received[link] = true;
        if (++_arrived < Workers)
        {
            return ReplyTarget.None;
        }

        TensorPrimitives.MultiplyAdd(_aggregate, (float)(-_options.LearningRate / Workers), _w, _w);
        Array.Clear(_aggregate);
        Array.Clear(_received);
        _arrived = 0;
        Iterations++;
        _goPending = false;
        _modelPending = true;
        return ReplyTarget.All;
    }

    /// <summary>
    /// The go message, or the model in the downlink's code (every worker gets the same read; it is encoded when first
    /// asked for, so a snapshot between rounds restores to the same bits).
    /// </summary>
    public Payload Outgoing(int link)
    {
        if (_goPending)
        {
            return _goWriter.ToPayload();
        }

        if (_modelPending)
        {
            Envelope.Begin(_writer, MessageKind.Iterate, Iterations);
            _channel.Write(_writer, _w, default, _reconstruction, new CompressionContext(Iterations, DownlinkSeed(_options.Seed)));
            _modelPending = false;
        }

        return _writer.ToPayload();
    }

    /// <summary>The shared seed of the model reads (only the server draws from it).</summary>
    internal static ulong DownlinkSeed(long seed) => (ulong)seed ^ 0x2545F4914F6CDD1DUL;

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("sgd-server");
        writer.Write(_method.Name);
        writer.Write(Workers);
        writer.Write(_running);
        writer.Write(_goPending);
        writer.Write(_modelPending);
        writer.Write(Iterations);
        writer.Write(_arrived);
        foreach (var (received, samples) in _received.Zip(_samples))
        {
            writer.Write(received);
            writer.Write(samples);
        }

        writer.Write(MemoryMarshal.AsBytes<float>(_w));
        writer.Write(MemoryMarshal.AsBytes<float>(_aggregate));
        writer.Write(MemoryMarshal.AsBytes<float>(_reconstruction));
        return writer.ToArray();
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "sgd-server");
        reader.Expect(reader.ReadString(), _method.Name, "the method");
        reader.Expect(reader.ReadInt32(), Workers, "the number of workers");
        _running = reader.ReadBoolean();
        _goPending = reader.ReadBoolean();
        _modelPending = reader.ReadBoolean();
        Iterations = reader.ReadInt32();
        _arrived = reader.ReadInt32();
        for (var k = 0; k < Workers; k++)
        {
            _received[k] = reader.ReadBoolean();
            _samples[k] = reader.ReadInt32();
        }

        SgdWorker.Floats(reader.ReadBytes(), _w, "the model");
        SgdWorker.Floats(reader.ReadBytes(), _aggregate, "the aggregate");
        SgdWorker.Floats(reader.ReadBytes(), _reconstruction, "the workers' model copy");

        reader.End();
        if (_goPending)
        {
            LearningMessages.WriteGo(_goWriter, _options.LearningRate);
        }

        if (!_running)
        {
            LearningMessages.WriteModel(_writer, MessageKind.Opening, 0, _w);
        }
    }
}
