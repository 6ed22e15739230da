using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Random-k sparsification: k = ⌈fraction·d⌉ coordinates chosen by a partial Fisher–Yates shuffle driven by the shared
/// randomness (no index bits), each sent as binary32 and scaled by d/k on decoding so the estimate is unbiased.
/// </summary>
public sealed class RandomKCompressor : ICompressor
{
    private readonly int[] _permutation;

    public RandomKCompressor(int dimension, double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            Guard.Throw($"the random-k fraction must lie in (0, 1], got {fraction}.");
        }

        Dimension = dimension;
        K = Math.Max(1, (int)Math.Ceiling(fraction * dimension));
        _permutation = new int[dimension];
    }

    public string Name => $"random-{K}";

    public int Dimension { get; }

    public int K { get; }

    public long MaxBits => 32L * K;

    /// <summary>ω = d/k − 1.</summary>
    public double Variance => ((double)Dimension / K) - 1;

    public void Encode(ReadOnlySpan<float> g, in CompressionContext context, BitWriter writer, Span<float> decoded)
    {
        Guard.SameLength(g.Length, Dimension, "the gradient");
        decoded.Clear();
        var scale = (float)Dimension / K;
        foreach (var i in Chosen(context))
        {
            writer.WriteSingle(g[i]);
            decoded[i] = g[i] * scale;
        }
    }

    public void Decode(ref BitReader reader, in CompressionContext context, Span<float> decoded)
    {
        decoded.Clear();
        var scale = (float)Dimension / K;
        foreach (var i in Chosen(context))
        {
            decoded[i] = reader.ReadSingle() * scale;
        }
    }

    /// <summary>The first k entries of a shared random permutation of 0..d−1.</summary>
    private ReadOnlySpan<int> Chosen(in CompressionContext context)
    {
        for (var i = 0; i < Dimension; i++)
        {
            _permutation[i] = i;
        }

        for (var n = 0; n < K; n++)
        {
            var pick = n + (int)(SharedUniform.Draw(context, n) * (Dimension - n));
            (_permutation[n], _permutation[pick]) = (_permutation[pick], _permutation[n]);
        }

        return _permutation.AsSpan(0, K);
    }
}
