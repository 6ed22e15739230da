using BenchmarkDotNet.Attributes;
using DiffQuant.Bits;
using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Running;

namespace DiffQuant.Benchmarks;

/// <summary>
/// Where one DQ-GD iteration (R = 6, cube) goes on the two Fig. 3 problems: the worker's gradient, the
/// uplink encode and decode, the binary64 downlink encode and decode, and the whole round through the
/// session (which adds the error feedback, the server update, the channel copies and the range schedule).
/// </summary>
[MemoryDiagnoser]
public class IterationPartsBenchmarks
{
    private Problem _problem = null!;
    private MethodConfig _config = null!;
    private double[] _initial = null!;
    private double[] _gradient = null!;
    private double[] _quantized = null!;
    private IQuantizer _quantizer = null!;
    private FloatCodec _downlink = null!;
    private BitWriter _writer = null!;
    private Payload _uplinkPayload;

    [Params("gaussian", "ash958")]
    public string Problem { get; set; } = "gaussian";

    [GlobalSetup]
    public void Setup()
    {
        _problem = Problem == "gaussian"
            ? GaussianEnsemble.Create(1000, 100, null, 1)
            : LeastSquaresProblem.Create("ash958", MatrixMarketReader.Read(SharedData.Find("ash958.mtx") ?? throw new FileNotFoundException("ash958.mtx not found in a shared/data folder above here.")), GaussianSource.Vector(958, 1, GaussianSource.Stream.Target));
        var n = _problem.Dimension;
        _config = new MethodConfig { Method = MethodSpec.Parse("dq-gd"), Quantizer = new QuantizerSpec("cube", 6), Dimension = n };
        _initial = GaussianSource.Vector(n, 1, GaussianSource.Stream.InitialPoint);
        _gradient = new double[n];
        _quantized = new double[n];
        _quantizer = _config.Quantizer.Create(n);
        _downlink = new FloatCodec(n);
        _writer = new BitWriter(8 * n);
        _problem.Objective.Gradient(_initial, _gradient);
        _quantizer.Encode(_gradient, new QuantizerContext(1e3, 0, long.MaxValue), _writer, _quantized);
        _uplinkPayload = new Payload(_writer.ToPayload().Bytes.ToArray(), _writer.BitLength);
    }

    [Benchmark]
    public void Gradient() => _problem.Objective.Gradient(_initial, _gradient);

    [Benchmark]
    public void UplinkEncode()
    {
        _writer.Reset();
        _quantizer.Encode(_gradient, new QuantizerContext(1e3, 0, long.MaxValue), _writer, _quantized);
    }

    [Benchmark]
    public void UplinkDecode()
    {
        var reader = new BitReader(_uplinkPayload);
        _quantizer.Decode(ref reader, new QuantizerContext(1e3, 0, long.MaxValue), _quantized);
    }

    [Benchmark]
    public void DownlinkEncodeDecode()
    {
        _writer.Reset();
        _downlink.Encode(_initial, new QuantizerContext(1, 0, long.MaxValue), _writer, _quantized);
        var reader = new BitReader(_writer.ToPayload());
        _downlink.Decode(ref reader, new QuantizerContext(1, 0, long.MaxValue), _quantized);
    }

    /// <summary>Per iteration of a fresh 40-round session (setup exchange included).</summary>
    [Benchmark(OperationsPerInvoke = 40)]
    public void Round()
    {
        var session = LocalRun.CreateSession(_problem, _config, _initial);
        session.Start();
        for (var t = 0; t < 40; t++)
        {
            session.Round();
        }
    }
}
