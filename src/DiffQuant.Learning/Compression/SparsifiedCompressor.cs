using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Unbiased random sparsification (Wangni et al., 2018) followed by the fixed-point code, Sparse-AsyLPG's gradient
/// code: coordinate i is kept with probability p_i = min(1, λ|g_i|), λ chosen so Σ p_i = k = ⌈density·d⌉ (capped
/// coordinates are sure and λ is re-solved over the rest), and a kept one is sent as g_i/p_i, so E = g. The message:
/// the number kept in ⌈log2(d + 1)⌉ bits, their indices as <see cref="RiceGaps"/>, their values as one
/// <see cref="FixedPointCompressor"/> code of b bits each. Keep draws and rounding draws come from two streams of the
/// message (only the sender draws).
/// </summary>
public sealed class SparsifiedCompressor : ICompressor
{
    private readonly int _countBits;
    private readonly int _riceBits;
    private readonly double[] _probabilities;
    private readonly int[] _kept;
    private readonly float[] _values;
    private readonly float[] _decodedValues;

    public SparsifiedCompressor(int dimension, double density, int bits)
    {
        if (!(density > 0 && density <= 1))
        {
            Guard.Throw($"the sparsification density must lie in (0, 1], got {density}.");
        }

        if (bits is < FixedPointCompressor.MinBits or > FixedPointCompressor.MaxBitsPerCoordinate)
        {
            Guard.Throw($"a fixed-point code needs {FixedPointCompressor.MinBits} to {FixedPointCompressor.MaxBitsPerCoordinate} bits per coordinate, got {bits}.");
        }

        Dimension = dimension;
        Bits = bits;
        K = Math.Max(1, (int)Math.Ceiling(density * dimension));
        _countBits = QsgdCompressor.BitsFor(dimension);
        _riceBits = RiceGaps.ParameterFor(dimension, K);
        _probabilities = new double[dimension];
        _kept = new int[dimension];
        _values = new float[dimension];
        _decodedValues = new float[dimension];
    }

    public string Name => $"sparsified(k={K}, b={Bits})";

    public int Dimension { get; }

    /// <summary>k, the expected number of coordinates kept.</summary>
    public int K { get; }

    public int Bits { get; }

    public long MaxBits => _countBits + RiceGaps.MaxBits(Dimension, Dimension, _riceBits) + 32 + ((long)Dimension * Bits);

    /// <summary>ω ≤ (d/k)(1 + d/(4s²)) − 1: sparsification's d/k − 1 (Σ g_i²/p_i ≤ (Σ|g_i|)²/k) composed with the code's.</summary>
    public double Variance
    {
        get
        {
            var steps = (1 << (Bits - 1)) - 1;
            return ((double)Dimension / K * (1 + (Dimension / (4.0 * steps * steps)))) - 1;
        }
    }

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        Probabilities(g);
        var random = SharedUniform.Stream(context);
        var count = 0;
        for (var i = 0; i < Dimension; i++)
        {
            var p = _probabilities[i];
            if (p > 0 && (p >= 1 || random.NextOpenUnit() < p))
            {
                _kept[count] = i;
                _values[count++] = (float)(g[i] / p);
            }
        }

        writer.Write((ulong)count, _countBits);
        var packer = default(FieldPacker);
        var previous = -1;
        foreach (var i in _kept.AsSpan(0, count))
        {
            RiceGaps.Put(ref packer, writer, i - previous, _riceBits);
            previous = i;
        }

        packer.Flush(writer);
        var code = new FixedPointCompressor(Math.Max(count, 1), Bits);
        if (count == 0)
        {
            _values[0] = 0;
        }

        code.Encode(_values.AsSpan(0, code.Dimension), ValueContext(context), writer, _decodedValues);
        decoded.Clear();
        for (var n = 0; n < count; n++)
        {
            decoded[_kept[n]] = _decodedValues[n];
        }
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        var count = (int)reader.Read(_countBits);
        if (count > Dimension)
        {
            Guard.Throw($"sparsified message: {count} coordinates kept of {Dimension}.");
        }

        var previous = -1;
        for (var n = 0; n < count; n++)
        {
            previous = _kept[n] = RiceGaps.ReadNext(ref reader, previous, _riceBits, Dimension, "sparsified");
        }

        var code = new FixedPointCompressor(Math.Max(count, 1), Bits);
        code.Decode(ref reader, ValueContext(context), _decodedValues);
        decoded.Clear();
        for (var n = 0; n < count; n++)
        {
            decoded[_kept[n]] = _decodedValues[n];
        }
    }

    /// <summary>The values' rounding stream, apart from the keep draws.</summary>
    private static CompressionContext ValueContext(in CompressionContext context) => context with { Seed = context.Seed ^ 0xD6E8FEB86659FD93UL };

    /// <summary>p_i = min(1, λ|g_i|) with Σ p_i = min(k, nonzeros): λ re-solved over the uncapped coordinates until none caps.</summary>
    private void Probabilities(ReadOnlySpan<float> g)
    {
        var nonzero = 0;
        foreach (var v in g)
        {
            if (!float.IsFinite(v))
            {
                Guard.Throw("sparsification input is not finite.");
            }

            nonzero += v != 0 ? 1 : 0;
        }

        var budget = (double)Math.Min(K, nonzero);
        Array.Clear(_probabilities);
        var capped = 0;
        while (true)
        {
            double mass = 0;
            for (var i = 0; i < Dimension; i++)
            {
                mass += _probabilities[i] >= 1 ? 0 : Math.Abs(g[i]);
            }

            if (mass == 0)
            {
                return;
            }

            var lambda = (budget - capped) / mass;
            var newlyCapped = 0;
            for (var i = 0; i < Dimension; i++)
            {
                if (_probabilities[i] < 1)
                {
                    var p = lambda * Math.Abs(g[i]);
                    if (p >= 1)
                    {
                        newlyCapped++;
                    }

                    _probabilities[i] = Math.Min(1, p);
                }
            }

            if (newlyCapped == 0)
            {
                return;
            }

            capped += newlyCapped;
        }
    }
}
