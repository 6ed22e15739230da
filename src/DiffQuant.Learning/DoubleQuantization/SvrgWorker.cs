using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.Models;
using DiffQuant.Learning.Training;
using DiffQuant.State;
using DiffQuant.Transport;

namespace DiffQuant.Learning.DoubleQuantization;

/// <summary>
/// Worker k of asynchronous SVRG with double quantization. It answers the opening with its sample count, the go
/// message with an empty ready message, a snapshot x̃ with its shard's full gradient ∇f_k(x̃) (binary32), and each model
/// read x with the code of the correction c = ∇f_a(x) − ∇f_a(x̃) on a fresh mini-batch a (with differential feedback
/// u = ∇f_a(x − ηe) − ∇f_a(x̃) + e and e = u − s·C(u), s from <see cref="AsyncMethod.FeedbackScale"/>), tagged with the version it read.
/// </summary>
public sealed class SvrgWorker : ITrainingWorker
{
    private readonly TrainOptions _options;
    private readonly AsyncMethod _method;
    private readonly int _index;
    private readonly IModel _model;
    private readonly Dataset _shard;
    private readonly EpochSampler _sampler;
    private readonly ICompressor _compressor;
    private readonly ModelChannel _channel;
    private readonly BitWriter _writer = new();
    private readonly float[] _w;
    private readonly float[] _snapshot;
    private readonly float[] _point;
    private readonly float[] _gradient;
    private readonly float[] _atSnapshot;
    private readonly float[] _sent;
    private readonly float[] _error;
    private readonly int[] _all;
    private readonly float _feedbackScale;
    private Phase _phase;
    private float _learningRate;

    public SvrgWorker(TrainOptions options, int index, IModel model, Dataset shard)
    {
        _options = options;
        _method = AsyncMethod.Parse(options.Method);
        _index = index;
        _model = model;
        _shard = shard;
        var p = model.Parameters;
        _sampler = new EpochSampler(shard.Count, options.Batch, (ulong)options.Seed ^ (0x94D049BB133111EBUL * ((ulong)index + 1)));
        _compressor = _method.Compressor(options, p);
        _feedbackScale = _method.FeedbackScale(_compressor);
        _channel = _method.Channel(options, p);
        _w = new float[p];
        _snapshot = new float[p];
        _point = new float[p];
        _gradient = new float[p];
        _atSnapshot = new float[p];
        _sent = new float[p];
        _error = new float[p];
        _all = [.. Enumerable.Range(0, shard.Count)];
    }

    private enum Phase
    {
        AwaitOpening,
        AwaitGo,
        Running,
    }

    public long Overloads => 0;

    /// <summary>Σ of the mini-batch losses at the models read so far (for the experimenter's curves; never sent).</summary>
    public double LossSum { get; private set; }

    /// <summary>The number of losses in <see cref="LossSum"/>.</summary>
    public long LossCount { get; private set; }

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
                Envelope.Begin(_writer, MessageKind.AsyncGradient, 0);
                return _writer.ToPayload();
        }

        var kind = Envelope.Peek(downlink).Kind;
        if (kind == MessageKind.Snapshot)
        {
            var epoch = Envelope.Open(ref reader, MessageKind.Snapshot, Receiver).Version;
            LearningMessages.ReadModel(ref reader, _snapshot, Receiver);
            _snapshot.CopyTo(_w.AsSpan());
            _model.Gradient(_snapshot, _shard, _all, _gradient);
            Envelope.Begin(_writer, MessageKind.FullGradient, epoch);
            _writer.WriteSingles(_gradient);
            return _writer.ToPayload();
        }

        var version = Envelope.Open(ref reader, MessageKind.Iterate, Receiver).Version;
        _channel.Read(ref reader, _snapshot, _w, new CompressionContext(version, SvrgServer.DownlinkSeed(_options.Seed, _index)), Receiver);
        LearningMessages.ExpectEnd(ref reader, Receiver);
        return Step(version);
    }

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter("svrg-worker");
        writer.Write(_method.Name);
        writer.Write(_index);
        writer.Write((int)_phase);
        writer.Write(_learningRate);
        writer.Write(_sampler.Draws);
        writer.Write(LossSum);
        writer.Write(LossCount);
        foreach (var vector in new[] { _w, _snapshot, _error })
        {
            writer.Write(MemoryMarshal.AsBytes<float>(vector));
        }

        return writer.ToArray();
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot, "svrg-worker");
        reader.Expect(reader.ReadString(), _method.Name, "the method");
        reader.Expect(reader.ReadInt32(), _index, "the worker index");
        var phase = reader.ReadInt32();
        if (phase is < (int)Phase.AwaitOpening or > (int)Phase.Running)
        {
            Guard.Throw($"the worker snapshot is malformed: phase {phase}.");
        }

        _phase = (Phase)phase;
        _learningRate = (float)reader.ReadDouble();
        _sampler.Draws = reader.ReadInt64();
        LossSum = reader.ReadDouble();
        LossCount = reader.ReadInt64();
        foreach (var (vector, what) in new[] { (_w, "the model"), (_snapshot, "the snapshot"), (_error, "the error memory") })
        {
            SgdWorker.Floats(reader.ReadBytes(), vector, what);
        }

        reader.End();
    }

    private Payload Step(int version)
    {
        var batch = _sampler.Next();
        var differential = _method.Feedback == Feedback.Differential;
        if (differential)
        {
            // z = x − η e: where the uncompressed trajectory is.
            TensorPrimitives.MultiplyAdd(_error, -_learningRate, _w, _point);
        }
        else
        {
            _w.CopyTo(_point.AsSpan());
        }

        LossSum += _model.Gradient(_point, _shard, batch, _gradient);
        LossCount++;
        _model.Gradient(_snapshot, _shard, batch, _atSnapshot);
        TensorPrimitives.Subtract(_gradient, _atSnapshot, _gradient);
        if (differential)
        {
            TensorPrimitives.Add(_gradient, _error, _gradient);
        }

        Envelope.Begin(_writer, MessageKind.AsyncGradient, version);
        _compressor.Encode(_gradient, new CompressionContext(version, SvrgServer.UplinkSeed(_options.Seed, _index)), _writer, _sent);
        if (differential)
        {
            TensorPrimitives.Multiply(_sent, _feedbackScale, _sent);
            TensorPrimitives.Subtract(_gradient, _sent, _error);
        }

        return _writer.ToPayload();
    }
}
