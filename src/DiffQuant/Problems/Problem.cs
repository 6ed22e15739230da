using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;

namespace DiffQuant.Problems;

/// <summary>
/// An optimization problem as the workers hold it: the gradient oracle and the constants its tuning needs
/// (L and μ, the extreme Hessian eigenvalues), plus the minimizer when known (used only by the referee that
/// measures accuracy, never by the server). A problem split over K workers lists its <see cref="Shards"/>
/// f_k with f = Σ_k f_k; a least-squares problem keeps its <see cref="Data"/> so it can be split.
/// </summary>
public sealed record Problem(string Name, IGradientOracle Objective, double L, double Mu, double[]? Solution, int Rows = 0)
{
    public int Dimension => Objective.Dimension;

    /// <summary>κ = L/μ, the condition number of f.</summary>
    public double Kappa => L / Mu;

    /// <summary>A and y of a least-squares problem, null otherwise.</summary>
    public LeastSquaresData? Data { get; init; }

    /// <summary>The parts f_k held by K workers; null for a problem held whole.</summary>
    public IReadOnlyList<Problem>? Shards { get; init; }

    /// <summary>The problems K workers hold: the whole problem for K = 1, else its <see cref="Shards"/>.</summary>
    public IReadOnlyList<Problem> ShardsFor(int workers)
    {
        if (workers == 1)
        {
            return [this];
        }

        if (Shards?.Count != workers)
        {
            Guard.Throw($"problem '{Name}' is not split over {workers} workers{(Shards is null ? string.Empty : $" (it has {Shards.Count} shards)")}; split it with LeastSquaresShards.Split.");
        }

        return Shards;
    }
}

/// <summary>The data of f(x) = ½‖y − A x‖²: A (m × n) and y (length m).</summary>
public sealed record LeastSquaresData(ILinearOperator A, double[] Y);
