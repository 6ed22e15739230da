using DiffQuant.Bits;
using DiffQuant.Quantization;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// One of the core's rotated codes for gradients — <c>rotated</c> (<see cref="RotatedQuantizer"/>), <c>rotated-ec</c>
/// (<see cref="EntropyCodedRotatedQuantizer"/>), <c>e8</c> or <c>d8</c> (<see cref="LatticeQuantizer"/>): a binary32 reference
/// r = RMS(g) opens the message (a stateless compressor has no range both ends track), then the code with <c>bits</c>
/// a coordinate on top of its header (<see cref="CodeBits"/>), rotated afresh each step from the link's seed.
/// Deterministic and biased (they clip or saturate), so they run with error feedback. The trellis code is left out:
/// its encoder runs a Viterbi search per step it tries, too slow for models of 10⁵ parameters.
/// </summary>
public sealed class RotatedCompressor : ICompressor
{
    /// <summary>The codes it carries, by registered name.</summary>
    public static IReadOnlyList<string> Codes { get; } = ["rotated", "rotated-ec", "e8", "d8"];

    private readonly string _code;
    private readonly double _rate;
    private readonly double[] _input;
    private readonly double[] _output;
    private IQuantizer? _quantizer;
    private ulong _seed;

    public RotatedCompressor(int dimension, int bits, string code = "rotated")
    {
        if (!Codes.Contains(code))
        {
            Guard.Throw($"the rotated compressor carries {string.Join(", ", Codes)}, got '{code}'.");
        }

        if (bits < 1 || bits > RotatedQuantizer.MaxBitsPerCoordinate)
        {
            Guard.Throw($"--bits: the {code} code takes 1 to {RotatedQuantizer.MaxBitsPerCoordinate} bits a coordinate, got {bits}.");
        }

        _code = code;
        Dimension = dimension;
        _rate = (double)CodeBits(code, dimension, bits) / Math.Max(1, dimension);
        _input = new double[dimension];
        _output = new double[dimension];
        MaxBits = 32 + BitAllocation.Budget(dimension, _rate);
    }

    public string Name => _code;

    /// <summary>
    /// The code's bits for d coordinates at <paramref name="bits"/> each: the rotated code's 5-bit gains (one a chunk) + B·d; the
    /// entropy-coded one's 7-bit step + B·d; a lattice code's gains (one a chunk, as the rotated code's) + B bits for each
    /// coordinate of its ⌈d/8⌉ blocks.
    /// </summary>
    public static long CodeBits(string code, int dimension, int bits) => code switch
    {
        "rotated-ec" => EntropyCodedRotatedQuantizer.StepBits + ((long)bits * dimension),
        "e8" or "d8" => RotatedQuantizer.GainBits(dimension) + ((long)bits * BlockLattice.Dimension * ((dimension + BlockLattice.Dimension - 1) / BlockLattice.Dimension)),
        _ => RotatedQuantizer.GainBits(dimension) + ((long)bits * dimension),
    };

    public int Dimension { get; }

    public long MaxBits { get; }

    public double Variance => 0;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        for (var i = 0; i < g.Length; i++)
        {
            _input[i] = g[i];
        }

        var reference = (float)Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(_input) / Math.Max(1, Dimension));
        if (!float.IsFinite(reference))
        {
            Guard.Throw($"the {_code} compressor's gradient has a NaN, infinite or overflowing norm.");
        }

        writer.WriteSingle(reference);
        if (reference > 0)
        {
            Quantizer(context.Seed).Encode(_input, Context(reference, context), writer, _output);
        }

        Narrow(reference, decoded);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        Guard.SameLength(decoded.Length, Dimension, "the gradient");
        var reference = reader.ReadSingle();
        if (!(reference >= 0) || !float.IsFinite(reference))
        {
            Guard.Throw($"a {_code} gradient message carries the reference {reference}; it must be finite and non-negative.");
        }

        if (reference > 0)
        {
            Quantizer(context.Seed).Decode(ref reader, Context(reference, context), _output);
        }

        Narrow(reference, decoded);
    }

    /// <summary>The reference as the range, so the gain is σ = r (a zero gradient sends only r = 0).</summary>
    private static QuantizerContext Context(float reference, in CompressionContext context) => new(reference, context.Step, long.MaxValue);

    private void Narrow(float reference, Span<float> decoded)
    {
        for (var i = 0; i < decoded.Length; i++)
        {
            decoded[i] = reference > 0 ? (float)_output[i] : 0;
        }
    }

    private IQuantizer Quantizer(ulong seed)
    {
        if (_quantizer is null || seed != _seed)
        {
            (_quantizer, _seed) = (QuantizerRegistry.Find(_code).Create(new QuantizerParameters(Dimension, _rate, seed)), seed);
        }

        return _quantizer;
    }
}
