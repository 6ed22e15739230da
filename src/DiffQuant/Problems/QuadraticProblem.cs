using DiffQuant.Objectives;

namespace DiffQuant.Problems;

/// <summary>Strongly convex quadratics with a chosen spectrum.</summary>
public static class QuadraticProblem
{
    /// <summary>
    /// n eigenvalues evenly spaced on [μ, L] (both ends included) and a minimizer with i.i.d.
    /// N(0, 1) entries.
    /// </summary>
    public static Problem Create(int n, double mu, double l, long seed)
    {
        ProblemLimits.Quadratic(n);
        Guard.Positive(mu, "μ");
        Guard.Positive(l, "L");
        ProblemLimits.ConditionNumber(l / mu);

        var eigenvalues = new double[n];
        for (var i = 0; i < n; i++)
        {
            eigenvalues[i] = n == 1 ? l : mu + ((l - mu) * i / (n - 1));
        }

        var solution = GaussianSource.Vector(n, seed, GaussianSource.Stream.Solution);
        return new Problem($"quadratic n={n} kappa={l / mu:G4}", new DiagonalQuadratic(eigenvalues, solution), l, mu, solution);
    }
}
