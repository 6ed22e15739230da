using DiffQuant.Lab;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

/// <summary>Shared fixtures: fixed seeds, the shared data folder, small problems.</summary>
internal static class TestData
{
    /// <summary>CsCheck's seed string for PCG(1, 20261124): property tests replay the same inputs.</summary>
    public const string Seed = "0000001diA71";

    /// <summary>../shared/data/ash958.mtx, found in a shared/data folder above the tests.</summary>
    public static string Ash958Path =>
        SharedData.Find("ash958.mtx") ?? throw new FileNotFoundException("ash958.mtx not found in any shared/data folder above the tests.");

    public static Problem SmallGaussian(long seed = 11, int m = 200, int n = 20, double? kappa = null) =>
        GaussianEnsemble.Create(m, n, kappa, seed);

    public static double[] InitialPoint(int n, long seed = 11) =>
        GaussianSource.Vector(n, seed, GaussianSource.Stream.InitialPoint);

    public static double Norm(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (var x in v)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }
}
