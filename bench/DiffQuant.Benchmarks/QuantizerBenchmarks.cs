using BenchmarkDotNet.Attributes;
using DiffQuant.Bits;
using DiffQuant.Problems;
using DiffQuant.Quantization;

namespace DiffQuant.Benchmarks;

/// <summary>
/// Encode + decode of one vector by a ranged quantizer; coordinates per second = N / time. The kinds are split by speed
/// (<see cref="QuantizerBenchmarks"/>, <see cref="EntropyCodeBenchmarks"/>) so that a run can give the fast ones many
/// iterations without giving them to codes a thousand times slower.
/// </summary>
[MemoryDiagnoser]
public abstract class QuantizerBenchmarkBase
{
    /// <summary>The random rotation Θ and Θᵀ of the whole vector once each, not a quantizer.</summary>
    private protected const string Rotation = "hadamard";

    private IQuantizer? _quantizer;
    private HadamardRotation? _rotation;
    private double[] _input = null!;
    private double[] _encoded = null!;
    private double[] _decoded = null!;
    private BitWriter _writer = null!;

    /// <summary>The vector lengths every quantizer is measured at (BenchmarkDotNet's and <see cref="InterleavedQuantizerRun"/>'s cells).</summary>
    public static IEnumerable<int> Sizes => [10_000, 100_000, 1_000_000, 10_000_000];

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    public abstract string Kind { get; set; }

    /// <summary>The rate every cell is measured at, bits a coordinate (BenchmarkDotNet's and <see cref="InterleavedQuantizerRun"/>'s).</summary>
    public const double MeasuredRate = 2.0;

    [Params(MeasuredRate)]
    public double Rate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rotation = Kind == Rotation ? new HadamardRotation(N, 1) : null;
        _quantizer = Kind == Rotation ? null : QuantizerSpec.Parse(Kind, Rate, 1).Create(N);
        _input = GaussianSource.Vector(N, 1, GaussianSource.Stream.Matrix);
        _encoded = new double[N];
        _decoded = new double[N];
        _writer = new BitWriter(N);
    }

    [Benchmark]
    public double EncodeDecode()
    {
        if (_quantizer is null)
        {
            _input.CopyTo(_decoded, 0);
            _rotation!.Forward(_decoded, 5);
            _rotation.Inverse(_decoded, 5);
            return _decoded[0];
        }

        _writer.Reset();
        _quantizer.Encode(_input, new QuantizerContext(5.0, 0, long.MaxValue), _writer, _encoded);
        var reader = new BitReader(_writer.ToPayload());
        _quantizer.Decode(ref reader, new QuantizerContext(5.0, 0, long.MaxValue), _decoded);
        return _decoded[0];
    }
}

/// <summary>
/// The quantizers without an entropy coder, binary32 floats (the cheapest thing a link can send without a quantizer)
/// as the baseline in the same run, and "hadamard", the rotation Θ and Θᵀ of the whole vector once each: the floor
/// under a code that rotates the whole vector (whose encode and decode apply three; `rotated`, `e8` and `d8` rotate chunk by chunk).
/// </summary>
public class QuantizerBenchmarks : QuantizerBenchmarkBase
{
    /// <summary>The kinds of this suite (BenchmarkDotNet's and <see cref="InterleavedQuantizerRun"/>'s cells).</summary>
    public static IEnumerable<string> Kinds => [Rotation, "float32", "cube", "dithered", "rotated", "e8", "d8"];

    [ParamsSource(nameof(Kinds))]
    public override string Kind { get; set; } = "cube";
}

/// <summary>The entropy-coded rotated codes: a range coder and, for the trellis code, a Viterbi search a message.</summary>
public class EntropyCodeBenchmarks : QuantizerBenchmarkBase
{
    [Params("rotated-ec", "rotated-tcq")]
    public override string Kind { get; set; } = "rotated-ec";
}
