using DiffQuant.Problems;
using MathNet.Numerics.Distributions;

namespace DiffQuant.Tests;

public class GaussianSourceTests
{
    /// <summary>Moments, tail masses and the Kolmogorov–Smirnov distance of 10⁶ ziggurat draws against N(0, 1).</summary>
    [Fact]
    public void Ziggurat_draws_are_standard_normal()
    {
        const int count = 1_000_000;
        var v = GaussianSource.Vector(count, 5, GaussianSource.Stream.Matrix);
        var mean = v.Average();
        var variance = v.Sum(x => (x - mean) * (x - mean)) / count;
        var kurtosis = v.Sum(x => Math.Pow(x - mean, 4)) / count / (variance * variance);

        // Five standard errors: σ/√N for the mean, √(2/N) for the variance, √(24/N) for the kurtosis.
        Assert.InRange(mean, -5 / Math.Sqrt(count), 5 / Math.Sqrt(count));
        Assert.InRange(variance, 1 - (5 * Math.Sqrt(2.0 / count)), 1 + (5 * Math.Sqrt(2.0 / count)));
        Assert.InRange(kurtosis, 3 - (5 * Math.Sqrt(24.0 / count)), 3 + (5 * Math.Sqrt(24.0 / count)));

        // Beyond R = 3.4426 the draws come from the tail sampler, between 2 and R from the wedges.
        foreach (var t in new[] { 1.0, 2.0, 3.0, 3.5, 4.0 })
        {
            var expected = 2 * (1 - Normal.CDF(0, 1, t));
            var observed = v.Count(x => Math.Abs(x) > t) / (double)count;
            Assert.InRange(observed, expected - (5 * Math.Sqrt(expected / count)), expected + (5 * Math.Sqrt(expected / count)));
        }

        Array.Sort(v);
        double distance = 0;
        for (var i = 0; i < count; i += 7)
        {
            distance = Math.Max(distance, Math.Abs(Normal.CDF(0, 1, v[i]) - ((i + 0.5) / count)));
        }

        Assert.True(distance < 1.63 / Math.Sqrt(count), $"KS distance {distance} exceeds the 1% critical value");
    }

    [Fact]
    public void Streams_are_reproducible_and_independent()
    {
        var a = GaussianSource.Vector(1000, 42, GaussianSource.Stream.Matrix);
        Assert.Equal(a, GaussianSource.Vector(1000, 42, GaussianSource.Stream.Matrix));
        Assert.Equal(a[..10], GaussianSource.Vector(10, 42, GaussianSource.Stream.Matrix));
        var other = GaussianSource.Vector(1000, 42, GaussianSource.Stream.Target);
        var neighbour = GaussianSource.Vector(1000, 43, GaussianSource.Stream.Matrix);
        foreach (var b in new[] { other, neighbour })
        {
            var correlation = a.Zip(b, (x, y) => x * y).Sum() / 1000;
            Assert.InRange(correlation, -0.15, 0.15);
        }
    }
}
