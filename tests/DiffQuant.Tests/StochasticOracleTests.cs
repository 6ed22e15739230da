using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

public class StochasticOracleTests
{
    private static (DenseMatrix A, double[] Y) Data(int m = 40, int n = 6)
    {
        var a = new DenseMatrix(m, n, GaussianSource.Vector(m * n, 8, GaussianSource.Stream.Matrix));
        return (a, GaussianSource.Vector(m, 8, GaussianSource.Stream.Target));
    }

    public static TheoryData<string> Forms => ["dense", "sparse", "gram"];

    private static IStochasticOracle Create(string form)
    {
        var (a, y) = Data();
        return form switch
        {
            "dense" => new LeastSquares(a, y),
            "sparse" => new LeastSquares(CsrMatrix.FromTriplets(a.Rows, a.Columns, [.. Enumerable.Range(0, a.Rows * a.Columns).Select(k => (k / a.Columns, k % a.Columns, a[k / a.Columns, k % a.Columns]))]), y),
            _ => new GramLeastSquares(GramMatrix.Compute(a), new LeastSquares(a, y)),
        };
    }

    /// <summary>The batch of every sample once is the full gradient, in every form of least squares.</summary>
    [Theory]
    [MemberData(nameof(Forms))]
    public void Full_batch_is_the_full_gradient(string form)
    {
        var oracle = Create(form);
        var x = GaussianSource.Vector(oracle.Dimension, 1, GaussianSource.Stream.InitialPoint);
        double[] full = new double[oracle.Dimension], batch = new double[oracle.Dimension];
        oracle.Gradient(x, full);
        oracle.Gradient(x, [.. Enumerable.Range(0, oracle.Samples)], batch);
        Assert.Equal(40, oracle.Samples);
        for (var j = 0; j < full.Length; j++)
        {
            Assert.Equal(full[j], batch[j], 1e-10 * (1 + Math.Abs(full[j])));
        }
    }

    /// <summary>(m/|B|)·Σ_{i∈B} ∇f_i is unbiased: the mean of 20,000 sampled batches lies within five standard errors of ∇f.</summary>
    [Fact]
    public void Sampled_batches_are_unbiased()
    {
        var oracle = Create("dense");
        var sampler = new MiniBatchSampler(oracle.Samples, 4, seed: 3);
        var x = GaussianSource.Vector(oracle.Dimension, 1, GaussianSource.Stream.InitialPoint);
        var n = oracle.Dimension;
        double[] full = new double[n], g = new double[n], sum = new double[n], sumSquares = new double[n];
        oracle.Gradient(x, full);
        const int draws = 20_000;
        for (var d = 0; d < draws; d++)
        {
            oracle.Gradient(x, sampler.Next(), g);
            for (var j = 0; j < n; j++)
            {
                sum[j] += g[j];
                sumSquares[j] += g[j] * g[j];
            }
        }

        for (var j = 0; j < n; j++)
        {
            var mean = sum[j] / draws;
            var standardError = Math.Sqrt(((sumSquares[j] / draws) - (mean * mean)) / draws);
            Assert.InRange(mean, full[j] - (5 * standardError), full[j] + (5 * standardError));
        }
    }

    [Fact]
    public void Sampler_is_reproducible_restorable_and_uniform()
    {
        var first = new MiniBatchSampler(7, 5, seed: 11);
        var batches = Enumerable.Range(0, 1000).Select(_ => first.Next().ToArray()).ToList();
        var again = new MiniBatchSampler(7, 5, seed: 11);
        Assert.Equal(batches[0], again.Next().ToArray());
        var restored = new MiniBatchSampler(7, 5, seed: 11) { Draws = 500 };
        Assert.Equal(batches[500], restored.Next().ToArray());
        Assert.NotEqual(batches[0], new MiniBatchSampler(7, 5, seed: 12).Next().ToArray());

        // 5,000 draws over 7 values: each count within five standard deviations of 5000/7.
        var counts = new int[7];
        foreach (var i in batches.SelectMany(b => b))
        {
            counts[i]++;
        }

        var expected = 5000.0 / 7;
        var sd = Math.Sqrt(5000 * (1.0 / 7) * (6.0 / 7));
        Assert.All(counts, c => Assert.InRange(c, expected - (5 * sd), expected + (5 * sd)));
    }

    [Fact]
    public void Bad_batches_and_samplers_are_refused()
    {
        var oracle = Create("dense");
        var x = new double[oracle.Dimension];
        var g = new double[oracle.Dimension];
        Assert.Contains("outside the 40 samples", Assert.Throws<DiffQuantException>(() => oracle.Gradient(x, [0, 40], g)).Message);
        Assert.Contains("at least one index", Assert.Throws<DiffQuantException>(() => oracle.Gradient(x, ReadOnlySpan<int>.Empty, g)).Message);
        Assert.Contains("batch size", Assert.Throws<DiffQuantException>(() => new MiniBatchSampler(10, 0, 1)).Message);
        Assert.Contains("at least one sample", Assert.Throws<DiffQuantException>(() => new MiniBatchSampler(0, 1, 1)).Message);
    }
}
