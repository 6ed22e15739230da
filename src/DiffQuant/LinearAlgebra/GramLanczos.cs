using System.Numerics.Tensors;
using DiffQuant.Problems;

namespace DiffQuant.LinearAlgebra;

/// <summary>
/// The extreme eigenvalues of G = AᵀA without forming G: the Lanczos iteration on v ↦ Aᵀ(A v) (two products with A a
/// step, three vectors of n and one of m kept), whose tridiagonal's extreme eigenvalues (Ritz values) converge to
/// λ_max and λ_min from inside: geometrically when the extremes stand apart from the rest of the spectrum, but only
/// like 1/k² at a spectrum that runs continuously to its edge (random sparse matrices), where a change of δ between
/// checks ten steps apart leaves the estimate about kδ/20 inside (10⁻⁶ relative after about 100 steps at the default δ).
/// No reorthogonalization: lost orthogonality only repeats converged Ritz values, it does not move the extremes. Written here because neither MathNet nor System.Numerics.Tensors has a
/// matrix-free eigenvalue solver; used when G is too large to factor densely.
/// </summary>
public static class GramLanczos
{
    /// <summary>Steps between convergence checks (each check is an O(steps) tridiagonal eigenvalue solve).</summary>
    private const int CheckEvery = 10;

    /// <summary>The seed of the random start vector, fixed so that every process estimates the same L and μ.</summary>
    private const long StartSeed = 0;

    /// <summary>
    /// (λ_min, λ_max) of AᵀA, each to a relative change below <paramref name="tolerance"/> between two checks ten steps
    /// apart (or exact once the Krylov space is invariant). λ_min below L/10¹² is reported as 0 (rank-deficient A).
    /// </summary>
    public static (double Min, double Max) Extremes(ILinearOperator a, double tolerance = 1e-7, int maxSteps = 2000) => Estimate(a, true, tolerance, maxSteps);

    /// <summary>λ_max of AᵀA alone (for A with fewer rows than columns, whose λ_min is 0).</summary>
    public static double Largest(ILinearOperator a, double tolerance = 1e-7, int maxSteps = 2000) => Estimate(a, false, tolerance, maxSteps).Max;

    private static (double Min, double Max) Estimate(ILinearOperator a, bool smallest, double tolerance, int maxSteps)
    {
        var n = a.Columns;
        if (n == 0)
        {
            Guard.Throw("the Gram matrix of a matrix with no columns has no eigenvalues.");
        }

        var q = GaussianSource.Vector(n, StartSeed, GaussianSource.Stream.Krylov);
        TensorPrimitives.Divide(q, TensorPrimitives.Norm<double>(q), q);
        var qPrevious = new double[n];
        var next = new double[n];
        var image = new double[a.Rows];
        var alphas = new List<double>();
        var betas = new List<double>();
        double beta = 0, scale = 0;
        (double Min, double Max) last = (double.NaN, double.NaN);
        var steps = Math.Min(n, maxSteps);
        for (var j = 0; j < steps; j++)
        {
            a.Multiply(q, image);
            a.MultiplyTransposed(image, next);
            var alpha = TensorPrimitives.Dot<double>(q, next);
            alphas.Add(alpha);
            scale = Math.Max(scale, Math.Abs(alpha));
            TensorPrimitives.MultiplyAdd(q, -alpha, next, next);
            TensorPrimitives.MultiplyAdd(qPrevious, -beta, next, next);
            beta = TensorPrimitives.Norm<double>(next);
            var invariant = !(beta > 1e-14 * scale);
            if (invariant || j == steps - 1 || (j + 1) % CheckEvery == 0)
            {
                var ritz = SymmetricSpectrum.TridiagonalEigenvalues(alphas.ToArray(), betas.ToArray());
                (double Min, double Max) extremes = (ritz[0], ritz[^1]);
                if (invariant || Converged(last, extremes, tolerance, smallest))
                {
                    return Clean(extremes);
                }

                last = extremes;
            }

            betas.Add(beta);
            TensorPrimitives.Divide(next, beta, next);
            (qPrevious, q, next) = (q, next, qPrevious);
        }

        if (steps == n)
        {
            // n steps span the whole space: the Ritz values are the eigenvalues.
            return Clean(last);
        }

        throw new DiffQuantException($"the Lanczos estimate of L and μ did not settle in {steps} steps (last: μ ≈ {last.Min:G6}, L ≈ {last.Max:G6}); the problem is too ill-conditioned for it.");
    }

    private static bool Converged((double Min, double Max) last, (double Min, double Max) now, double tolerance, bool smallest) =>
        Math.Abs(now.Max - last.Max) <= tolerance * now.Max
        && (!smallest || Math.Abs(now.Min - last.Min) <= tolerance * Math.Max(Math.Abs(now.Min), now.Max / ProblemLimits.MaxConditionNumber));

    private static (double Min, double Max) Clean((double Min, double Max) extremes) =>
        (extremes.Min * ProblemLimits.MaxConditionNumber > extremes.Max ? extremes.Min : 0, extremes.Max);
}
