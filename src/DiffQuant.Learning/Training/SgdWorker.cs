using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.Models;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Learning.Training;

/// <summary>
/// Worker k of distributed training. It holds its shard and a model; answers the opening model with its sample
/// count, the go message (η) with its first gradient, and each model w_t with the compressed u_t of a fresh
/// mini-batch: u_t = g(w_t) (no feedback), g(w_t) + e_{t−1} (error feedback) or g(w_t − η e_{t−1}) + e_{t−1}
/// (differential feedback), with e = u − q what the last message left out.
/// </summary>
public sealed class SgdWorker : ITrainingWorker
{
    private readonly TrainOptions _options;
    private readonly TrainingMethod _method;
    private readonly int _index;
    private readonly IModel _model;
    private readonly Dataset _shard;
    private readonly DynamicBits? _dynamic;
    private readonly long _stepsPerEpoch;
    private readonly double _budgetShare;
    private readonly EpochSampler _sampler;
    private readonly ICompressor _compressor;
    private readonly ModelChannel _channel;
    private readonly Dictionary<int, ICompressor> _dynamicCompressors = [];
    private readonly BitWriter _writer = new();
    private readonly float[] _w;
    private readonly float[] _point;
    private readonly float[] _gradient;
    private readonly float[] _sent;
    private readonly float[] _error;
    private readonly ulong _linkSeed;
    private Phase _phase;
    private float _learningRate;
    private int _version;
    private long _bitsSent;

    /// <param name="stepsPerEpoch">Rounds per epoch (the same for every worker), for DQ-SGD's calibration.</param>
    /// <param name="dynamic">DQ-SGD's bit schedule, for the dynamic method; this worker's own instance.</param>
    /// <param name="budgetShare">This worker's share of DQ-SGD's uplink budget, in bits.</param>
    public SgdWorker(TrainOptions options, int index, IModel model, Dataset shard, long stepsPerEpoch, DynamicBits? dynamic = null, double budgetShare = 0)
    {
        _options = options;
        _method = TrainingMethod.Parse(options.Method);
        _index = index;
        _model = model;
        _shard = shard;
        _dynamic = dynamic;
        _stepsPerEpoch = stepsPerEpoch;
        _budgetShare = budgetShare;
        if (_method.Compressor == CompressorKind.DynamicQsgd && dynamic is null)
        {
            Guard.Throw("DQ-SGD needs its bit schedule.");
        }

        var p = model.Parameters;
        _sampler = new EpochSampler(shard.Count, options.Batch, (ulong)options.Seed ^ (0x94D049BB133111EBUL * ((ulong)index + 1)));
        _compressor = Compressors.Create(_method.Compressor, options, p);
        _channel = Compressors.Downlink(options, p);
        _w = new float[p];
        _point = new float[p];
        _gradient = new float[p];
        _sent = new float[p];
        _error = new float[p];
        _linkSeed = SharedUniform.LinkSeed((ulong)options.Seed, index);
    }

    private enum Phase
    {
        AwaitOpening,
        AwaitGo,
        Running,
    }

    public long Overloads => 0;

    public double LossSum { get; private set; }

    public long LossCount { get; private set; }

    /// <summary>B_n of the last DQ-SGD message (0 for other methods).</summary>
    public int LastBits { get; private set; }

    private string Receiver => $"worker {_index}";

    public Payload Handle(Payload downlink)
    {
        var reader = new BitReader(downlink);
        switch (_phase)
        {
            case Phase.AwaitOpening:
                var setup = LearningMessages.AnswerOpening(ref reader, _w, _shard.Count, _writer, Receiver);
                _phase = Phase.AwaitGo;
                return setup;
            case Phase.AwaitGo:
                _learningRate = LearningMessages.ReadGo(ref reader, Receiver);
                _phase = Phase.Running;
                return Step();
            default:
                var envelope = Envelope.Open(ref reader, MessageKind.Iterate, Receiver);
                envelope.ExpectVersion(_version + 1, Receiver);
                _channel.Read(ref reader, default, _w, new CompressionContext(envelope.Version, SgdServer.DownlinkSeed(_options.Seed)), Receiver);
                LearningMessages.ExpectEnd(ref reader, Receiver);
                _version = envelope.Version;
                return Step();
        }
    }

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("sgd-worker");
        writer.Write(_method.Name);
        writer.Write(_index);
        writer.Write((int)_phase);
        writer.Write(_version);
        writer.Write(_learningRate);
        writer.Write(_bitsSent);
        writer.Write(_sampler.Draws);
        writer.Write(LossSum);
        writer.Write(LossCount);
        var (k, meanNorm, count) = _dynamic?.State ?? (0, 0, 0);
        writer.Write(k);
        writer.Write(meanNorm);
        writer.Write(count);
        writer.Write(MemoryMarshal.AsBytes<float>(_w));
        writer.Write(MemoryMarshal.AsBytes<float>(_error));
        return writer.ToArray();
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "sgd-worker");
        reader.Expect(reader.ReadString(), _method.Name, "the method");
        reader.Expect(reader.ReadInt32(), _index, "the worker index");
        var phase = reader.ReadInt32();
        if (phase is < (int)Phase.AwaitOpening or > (int)Phase.Running)
        {
            Guard.Throw($"the worker snapshot is malformed: phase {phase}.");
        }

        _phase = (Phase)phase;
        _version = reader.ReadInt32();
        _learningRate = (float)reader.ReadDouble();
        _bitsSent = reader.ReadInt64();
        _sampler.Draws = reader.ReadInt64();
        LossSum = reader.ReadDouble();
        LossCount = reader.ReadInt64();
        var state = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt64());
        if (_dynamic is not null)
        {
            _dynamic.State = state;
        }

        Floats(reader.ReadBytes(), _w, "the model");
        Floats(reader.ReadBytes(), _error, "the error memory");
        reader.End();
    }

    /// <summary>Copies a binary32 vector saved as bytes into <paramref name="into"/>, refusing a length mismatch.</summary>
    internal static void Floats(byte[] bytes, Span<float> into, string what)
    {
        if (bytes.Length != 4 * into.Length)
        {
            Guard.Throw($"the snapshot is malformed: {what} has {bytes.Length} bytes, expected {4 * into.Length}.");
        }

        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(into);
    }

    private Payload Step()
    {
        var feedback = _method.Feedback;
        var batch = _sampler.Next();
        if (feedback == Feedback.Differential)
        {
            // z = w − η e: where the uncompressed trajectory is (the server's model lags it by η e).
            TensorPrimitives.MultiplyAdd(_error, -_learningRate, _w, _point);
        }
        else
        {
            _w.CopyTo(_point.AsSpan());
        }

        LossSum += _model.Gradient(_point, _shard, batch, _gradient);
        LossCount++;
        if (feedback != Feedback.None)
        {
            TensorPrimitives.Add(_gradient, _error, _gradient);
        }

        Envelope.Begin(_writer, MessageKind.Gradient, _version);
        var context = new CompressionContext(_version, _linkSeed);
        var compressor = _compressor;
        if (_dynamic is not null)
        {
            if (_version % _stepsPerEpoch == 0)
            {
                _dynamic.Calibrate(_version, _budgetShare - _bitsSent);
            }

            LastBits = _dynamic.Next(_version, TensorPrimitives.Norm(_gradient), _budgetShare - _bitsSent);
            _writer.Write((ulong)(LastBits - 1), DynamicBits.FieldBits);
            compressor = DynamicCompressor(LastBits);
        }

        compressor.Encode(_gradient, context, _writer, _sent);
        if (feedback != Feedback.None)
        {
            // The server applies C(u)/(1 + ω); e is what that leaves out.
            TensorPrimitives.Multiply(_sent, (float)FeedbackScale(compressor), _sent);
            TensorPrimitives.Subtract(_gradient, _sent, _error);
        }

        _bitsSent += _writer.BitLength - Envelope.HeaderBits;
        return _writer.ToPayload();
    }

    /// <summary>1/(1 + ω): the factor both ends apply to a fed-back unbiased code, making it contractive.</summary>
    internal static double FeedbackScale(ICompressor compressor) => 1 / (1 + compressor.Variance);

    private ICompressor DynamicCompressor(int bits)
    {
        if (!_dynamicCompressors.TryGetValue(bits, out var compressor))
        {
            compressor = Compressors.Create(CompressorKind.DynamicQsgd, _options, _model.Parameters, bits);
            _dynamicCompressors[bits] = compressor;
        }

        return compressor;
    }
}
