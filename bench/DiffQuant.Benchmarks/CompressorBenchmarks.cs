using BenchmarkDotNet.Attributes;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Problems;

namespace DiffQuant.Benchmarks;

/// <summary>
/// Encode + decode of one MLP-sized gradient (d = 101,770) by each compressor, with binary32 as the baseline in the
/// same run; coordinates per second = d / mean time.
/// </summary>
[MemoryDiagnoser]
public class CompressorBenchmarks
{
    private const int Dimension = 101_770;
    private ICompressor _compressor = null!;
    private float[] _gradient = null!;
    private float[] _sent = null!;
    private float[] _received = null!;
    private BitWriter _writer = null!;

    [Params("float32", "qsgd-4bit", "sign", "terngrad", "topk-1%", "topk-sign-1%")]
    public string Compressor { get; set; } = "float32";

    [GlobalSetup]
    public void Setup()
    {
        _compressor = Compressor switch
        {
            "float32" => new Float32Compressor(Dimension),
            "qsgd-4bit" => new QsgdCompressor(Dimension, 7),
            "sign" => new SignCompressor(Dimension),
            "terngrad" => new TernGradCompressor(Dimension),
            "topk-1%" => new TopKCompressor(Dimension, 0.01),
            _ => new TopKCompressor(Dimension, 0.01, signs: true),
        };
        _gradient = [.. GaussianSource.Vector(Dimension, 1, GaussianSource.Stream.Matrix).Select(v => (float)v)];
        _sent = new float[Dimension];
        _received = new float[Dimension];
        _writer = new BitWriter(4 * Dimension);
    }

    [Benchmark]
    public float EncodeDecode()
    {
        _writer.Reset();
        var context = new CompressionContext(3, 11);
        _compressor.Encode(_gradient, context, _writer, _sent);
        var reader = new BitReader(_writer.ToPayload());
        _compressor.Decode(ref reader, context, _received);
        return _received[0];
    }
}
