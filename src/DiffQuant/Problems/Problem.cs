using DiffQuant.Objectives;

namespace DiffQuant.Problems;

/// <summary>
/// An optimization problem as the worker holds it: the gradient oracle and the constants its
/// tuning needs (L and μ, the extreme Hessian eigenvalues), plus the minimizer when known (used
/// only by the referee that measures accuracy, never by the server).
/// </summary>
public sealed record Problem(string Name, IGradientOracle Objective, double L, double Mu, double[]? Solution, int Rows = 0)
{
    public int Dimension => Objective.Dimension;

    /// <summary>κ = L/μ, the condition number of f.</summary>
    public double Kappa => L / Mu;
}
