using DiffQuant.LinearAlgebra;
using DiffQuant.Problems;

namespace DiffQuant.Lab;

/// <summary>
/// Where the instances of a sweep come from: the Gaussian ensemble (a fresh A per instance) or a
/// fixed matrix (one A, a fresh y per instance). Every instance also has its own x̂_0 ~ N(0, I).
/// Safe to use from several threads.
/// </summary>
public abstract class InstanceSource
{
    public abstract string Name { get; }

    public abstract int Dimension { get; }

    public abstract int Rows { get; }

    /// <summary>The problem of instance <paramref name="seed"/>.</summary>
    public abstract Problem Create(long seed);

    /// <summary>x̂_0 of instance <paramref name="seed"/>.</summary>
    public double[] InitialIterate(long seed) => GaussianSource.Vector(Dimension, seed, GaussianSource.Stream.InitialPoint);

    /// <summary>A (m × n) and y with i.i.d. N(0, 1) entries, κ optionally rescaled.</summary>
    public static InstanceSource Gaussian(int m, int n, double? kappa = null)
    {
        ProblemLimits.DenseLeastSquares(m, n);
        if (kappa is { } k)
        {
            ProblemLimits.ConditionNumber(k);
        }

        return new GaussianEnsembleSource(m, n, kappa);
    }

    /// <summary>The Matrix Market file at <paramref name="path"/> with y ~ N(0, I).</summary>
    public static InstanceSource Matrix(string path)
    {
        var matrix = MatrixMarketReader.Read(path);
        return new MatrixFileSource(Path.GetFileNameWithoutExtension(path), matrix);
    }

    private sealed class GaussianEnsembleSource(int m, int n, double? kappa) : InstanceSource
    {
        public override string Name => kappa is null ? $"gaussian {m}x{n}" : $"gaussian {m}x{n} kappa={kappa}";

        public override int Dimension => n;

        public override int Rows => m;

        public override Problem Create(long seed) => GaussianEnsemble.Create(m, n, kappa, seed);
    }

    private sealed class MatrixFileSource(string name, CsrMatrix matrix) : InstanceSource
    {
        private readonly LeastSquaresFamily _family = new(name, matrix);

        public override string Name => name;

        public override int Dimension => matrix.Columns;

        public override int Rows => matrix.Rows;

        public override Problem Create(long seed) =>
            _family.Instance(GaussianSource.Vector(matrix.Rows, seed, GaussianSource.Stream.Target));
    }
}
