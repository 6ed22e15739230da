using CsCheck;
using DiffQuant.Cli;
using DiffQuant.Lab;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

/// <summary>Shared fixtures: fixed seeds, the shared data folder, small problems.</summary>
internal static class TestData
{
    /// <summary>CsCheck's seed string for PCG(1, 20261124): property tests replay the same inputs.</summary>
    public const string Seed = "0000001diA71";

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="count"/> cases drawn from <paramref name="gen"/> in one
    /// iteration under <see cref="Seed"/>: the same cases on every run (CsCheck's seed fixes only the first
    /// iteration of a sample; the later ones are random).
    /// </summary>
    public static void ForEachCase<T>(Gen<T> gen, int count, Action<T> body) =>
        gen.Array[count].Sample(cases =>
        {
            foreach (var c in cases)
            {
                body(c);
            }
        }, seed: Seed, iter: 1, threads: 1);

    public static void ForEachCase<T1, T2>(Gen<(T1, T2)> gen, int count, Action<T1, T2> body) =>
        ForEachCase(gen, count, c => body(c.Item1, c.Item2));

    public static void ForEachCase<T1, T2, T3, T4>(Gen<(T1, T2, T3, T4)> gen, int count, Action<T1, T2, T3, T4> body) =>
        ForEachCase(gen, count, c => body(c.Item1, c.Item2, c.Item3, c.Item4));

    /// <summary>../shared/data/ash958.mtx, found in a shared/data folder above the tests.</summary>
    public static string Ash958Path =>
        SharedData.Find("ash958.mtx") ?? throw new FileNotFoundException("ash958.mtx not found in any shared/data folder above the tests.");

    public static Problem SmallGaussian(long seed = 11, int m = 200, int n = 20, double? kappa = null) =>
        GaussianEnsemble.Create(m, n, kappa, seed);

    public static double[] InitialPoint(int n, long seed = 11) =>
        GaussianSource.Vector(n, seed, GaussianSource.Stream.InitialPoint);

    /// <summary>Runs `dq` in-process with <paramref name="args"/>: its exit code, stdout and stderr.</summary>
    public static (int Exit, string Output, string Error) Dq(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

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
