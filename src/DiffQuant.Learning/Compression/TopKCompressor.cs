using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Top-k sparsification (used with error feedback): the k = ⌈fraction·d⌉ coordinates of largest magnitude, k known to
/// both ends. Their indices, ascending, are sent as <see cref="RiceGaps"/> (about log2(d/k) + 1.5 bits each); the values as binary32, or (with <c>signs</c>) as one sign bit each after one
/// binary32 scale, the mean magnitude of the k values.
/// </summary>
public sealed class TopKCompressor : ICompressor
{
    private readonly bool _signs;
    private readonly int _riceBits;
    private readonly int[] _order;
    private readonly float[] _magnitudes;

    public TopKCompressor(int dimension, double fraction, bool signs = false)
    {
        _signs = signs;
        if (!(fraction > 0 && fraction <= 1))
        {
            Guard.Throw($"the top-k fraction must lie in (0, 1], got {fraction}.");
        }

        Dimension = dimension;
        K = Math.Max(1, (int)Math.Ceiling(fraction * dimension));
        _riceBits = RiceGaps.ParameterFor(dimension, K);
        _order = new int[dimension];
        _magnitudes = new float[dimension];
    }

    public string Name => _signs ? $"top-{K}-sign" : $"top-{K}";

    public int Dimension { get; }

    public int K { get; }

    /// <summary>k values and remainders, plus unary quotients that sum to at most d &gt;&gt; b, plus k stop bits.</summary>
    public long MaxBits => (K * (_signs ? 1L : 32L)) + RiceGaps.MaxBits(Dimension, K, _riceBits) + (_signs ? 32 : 0);

    public double Variance => 0;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        for (var i = 0; i < Dimension; i++)
        {
            _magnitudes[i] = Math.Abs(g[i]);
            if (float.IsNaN(_magnitudes[i]))
            {
                Guard.Throw($"top-k input [{i}] is NaN.");
            }
        }

        // τ, the k-th largest magnitude (selection in O(d)); then, in ascending order, every index above τ and the
        // first ones equal to τ until there are k.
        var threshold = Select(_magnitudes, Dimension - K);
        var above = 0;
        foreach (var v in g)
        {
            above += Math.Abs(v) > threshold ? 1 : 0;
        }

        var ties = K - above;
        var count = 0;
        for (var i = 0; i < Dimension && count < K; i++)
        {
            var magnitude = Math.Abs(g[i]);
            if (magnitude > threshold || (magnitude == threshold && ties-- > 0))
            {
                _order[count++] = i;
            }
        }

        var chosen = _order.AsSpan(0, K);
        decoded.Clear();
        var packer = default(FieldPacker);
        var scale = 0f;
        if (_signs)
        {
            foreach (var i in chosen)
            {
                scale += Math.Abs(g[i]);
            }

            scale /= K;
            packer.Put(writer, BitConverter.SingleToUInt32Bits(scale), 32);
        }

        var previous = -1;
        foreach (var i in chosen)
        {
            RiceGaps.Put(ref packer, writer, i - previous, _riceBits);
            previous = i;
            if (_signs)
            {
                packer.Put(writer, g[i] < 0 ? 1UL : 0UL, 1);
                decoded[i] = g[i] < 0 ? -scale : scale;
            }
            else
            {
                packer.Put(writer, BitConverter.SingleToUInt32Bits(g[i]), 32);
                decoded[i] = g[i];
            }
        }

        packer.Flush(writer);
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        decoded.Clear();
        var scale = _signs ? BitConverter.UInt32BitsToSingle((uint)reader.Read(32)) : 0f;
        var index = -1;
        for (var n = 0; n < K; n++)
        {
            index = RiceGaps.ReadNext(ref reader, index, _riceBits, Dimension, "top-k");
            decoded[index] = _signs ? (reader.Read(1) == 1 ? -scale : scale) : BitConverter.UInt32BitsToSingle((uint)reader.Read(32));
        }
    }

    /// <summary>The value of rank <paramref name="rank"/> (0-based, ascending) of <paramref name="values"/>, which it reorders.</summary>
    private static float Select(float[] values, int rank)
    {
        var (low, high) = (0, values.Length - 1);
        while (low < high)
        {
            var pivot = Median(values[low], values[(low + high) >>> 1], values[high]);
            var (i, j) = (low, high);
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (rank <= j)
            {
                high = j;
            }
            else if (rank >= i)
            {
                low = i;
            }
            else
            {
                return values[rank];
            }
        }

        return values[rank];
    }

    private static float Median(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
