using DiffQuant.Problems;

namespace DiffQuant.Quantization;

/// <summary>Measures a lattice's normalized second moment.</summary>
public static class LatticeMoment
{
    /// <summary>
    /// G = E‖y − Q(y)‖²/(d·V^(2/d)) for y uniform on [−64, 64)^d (y − Q(y) is then uniform on the Voronoi cell up to
    /// the box's edge), over <paramref name="samples"/> points from <paramref name="seed"/>. 1/12 ≈ 0.0833 for ℤ,
    /// 0.0758 for D8, 0.0717 for E8, 1/(2πe) ≈ 0.0585 for the ideal sphere.
    /// </summary>
    public static double NormalizedSecondMoment(ILattice lattice, int samples, long seed)
    {
        var random = GaussianSource.Generator(seed, GaussianSource.Stream.Target);
        var d = lattice.Dimension;
        Span<double> y = stackalloc double[d];
        Span<double> point = stackalloc double[d];
        var sum = 0.0;
        for (var s = 0; s < samples; s++)
        {
            for (var i = 0; i < d; i++)
            {
                y[i] = 128 * (random.NextOpenUnit() - 0.5);
            }

            lattice.Nearest(y, point);
            for (var i = 0; i < d; i++)
            {
                sum += (y[i] - point[i]) * (y[i] - point[i]);
            }
        }

        return sum / ((double)samples * d * Math.Pow(lattice.Volume, 2.0 / d));
    }
}
