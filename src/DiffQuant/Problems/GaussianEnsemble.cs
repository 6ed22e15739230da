using DiffQuant.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace DiffQuant.Problems;

/// <summary>
/// The paper's Gaussian ensemble: A (m × n) and y with i.i.d. N(0, 1) entries, optionally with the
/// singular values of A rescaled so that κ(f) = κ(A)² equals a chosen value.
/// </summary>
public static class GaussianEnsemble
{
    /// <param name="kappa">
    /// Target condition number of f; null keeps the natural spectrum. The singular values are mapped
    /// s ↦ s_max·(s/s_max)^p, which keeps their order and shape on a log scale, with p chosen so that
    /// (s_max/s_min)^(2p) = κ; computed through the eigenvectors V of AᵀA as A V diag(s'/s) Vᵀ.
    /// </param>
    /// <param name="target">y, or null for i.i.d. N(0, 1) entries from the seed.</param>
    public static Problem Create(int m, int n, double? kappa, long seed, double[]? target = null)
    {
        ProblemLimits.DenseLeastSquares(m, n);
        if (kappa is { } k)
        {
            ProblemLimits.ConditionNumber(k);
        }

        var values = GaussianSource.Vector(m * n, seed, GaussianSource.Stream.Matrix);
        var y = target ?? GaussianSource.Vector(m, seed, GaussianSource.Stream.Target);
        var a = new DenseMatrix(m, n, values);
        if (kappa is { } wanted)
        {
            a = Rescale(a, wanted);
        }

        return LeastSquaresProblem.Create(kappa is null ? $"gaussian {m}x{n}" : $"gaussian {m}x{n} kappa={kappa}", a, y);
    }

    private static DenseMatrix Rescale(DenseMatrix a, double kappa)
    {
        var dense = Matrix<double>.Build.DenseOfArray(a.ToArray());
        Evd<double> evd = dense.TransposeThisAndMultiply(dense).Evd(Symmetricity.Symmetric);
        var squares = evd.EigenValues.Select(c => Math.Max(c.Real, 0)).ToArray();
        var sMax = Math.Sqrt(squares.Max());
        var sMin = Math.Sqrt(squares.Min());
        if (!(sMin > 1e-12 * sMax))
        {
            Guard.Throw("cannot rescale the spectrum: the sampled A is rank-deficient (m < n?).");
        }

        var ratio = sMax / sMin;
        var power = ratio > 1 ? Math.Log(Math.Sqrt(kappa)) / Math.Log(ratio) : 0;
        var scale = Vector<double>.Build.Dense(squares.Length, i =>
        {
            var s = Math.Sqrt(squares[i]);
            return sMax * Math.Pow(s / sMax, power) / s;
        });
        var v = evd.EigenVectors;
        var rescaled = dense * v * Matrix<double>.Build.DiagonalOfDiagonalVector(scale) * v.Transpose();
        return DenseMatrix.FromArray(rescaled.ToArray());
    }
}
