using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;

namespace DiffQuant.Problems;

/// <summary>Builds one least-squares problem f(x) = ½‖y − A x‖² with its constants.</summary>
public static class LeastSquaresProblem
{
    /// <summary>
    /// Up to <see cref="ProblemLimits.LargestDenseGram"/> unknowns, L and μ are the extreme eigenvalues of AᵀA and x* a
    /// refined direct solve (see <see cref="LeastSquaresFamily"/>); above it, L and μ are Lanczos estimates (about 10⁻⁶
    /// relative, from inside [μ, L]) and x* a CGLS solve to ‖Aᵀ(y − A x*)‖ ≤ 10⁻¹³‖Aᵀy‖ (<see cref="GramLanczos"/>, <see cref="Cgls"/>).
    /// A problem with μ ≤ 10⁻¹²·L is refused as singular.
    /// </summary>
    public static Problem Create(string name, ILinearOperator a, double[] y)
    {
        Guard.SameLength(y.Length, a.Rows, "y (one entry per row of A)");
        if (a.Columns <= ProblemLimits.LargestDenseGram)
        {
            return new LeastSquaresFamily(name, a).Instance(y);
        }

        ProblemLimits.FullColumnRankPossible(name, a.Rows, a.Columns);
        var objective = new LeastSquares(a, y);
        double mu, l;
        try
        {
            (mu, l) = GramLanczos.Extremes(a);
        }
        catch (DiffQuantException e)
        {
            throw new DiffQuantException($"problem '{name}': {e.Message}", e);
        }

        ProblemLimits.Nonsingular(name, mu, l);
        return new Problem(name, objective, l, mu, Cgls.Solve(a, y), a.Rows) { Data = new LeastSquaresData(a, y) };
    }
}
