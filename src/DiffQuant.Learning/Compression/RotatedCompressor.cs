using DiffQuant.Bits;
using DiffQuant.Quantization;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// The core's rotated gain–shape code (<see cref="RotatedQuantizer"/>) for gradients: a binary32 reference r = RMS(g)
/// opens the message (a stateless compressor has no range both ends track), then the rotated code at
/// <c>bits</c> per coordinate plus its 5-bit gain, rotated afresh each step from the link's seed. Deterministic and
/// biased (it clips), so it runs with error feedback.
/// </summary>
public sealed class RotatedCompressor : ICompressor
{
    private readonly double _rate;
    private readonly double[] _input;
    private readonly double[] _output;
    private RotatedQuantizer? _quantizer;
    private ulong _seed;

    public RotatedCompressor(int dimension, int bits)
    {
        if (bits < 1 || bits > RotatedQuantizer.MaxBitsPerCoordinate)
        {
            Guard.Throw($"--bits: the rotated code takes 1 to {RotatedQuantizer.MaxBitsPerCoordinate} bits a coordinate, got {bits}.");
        }

        Dimension = dimension;
        _rate = bits + ((double)RotatedQuantizer.ScaleBits / Math.Max(1, dimension));
        _input = new double[dimension];
        _output = new double[dimension];
        MaxBits = 32 + BitAllocation.Budget(dimension, _rate);
    }

    public string Name => "rotated";

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
            Guard.Throw("the rotated compressor's gradient has a NaN, infinite or overflowing norm.");
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
            Guard.Throw($"a rotated gradient message carries the reference {reference}; it must be finite and non-negative.");
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

    private RotatedQuantizer Quantizer(ulong seed)
    {
        if (_quantizer is null || seed != _seed)
        {
            (_quantizer, _seed) = (new RotatedQuantizer(Dimension, _rate, seed), seed);
        }

        return _quantizer;
    }
}
