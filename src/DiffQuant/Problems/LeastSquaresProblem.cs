using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;
using MathNet.Numerics.LinearAlgebra;

namespace DiffQuant.Problems;

/// <summary>Builds least-squares problems f(x) = ½‖y − A x‖² with exact constants.</summary>
public static class LeastSquaresProblem
{
    /// <summary>
    /// L = σ_max(A)² and μ = σ_min(A)² from the singular values of A, and x* by a QR solve.
    /// A problem with μ ≤ 10⁻¹²·L (rank-deficient A, or m &lt; n) is refused as singular.
    /// </summary>
    public static Problem Create(string name, ILinearOperator a, double[] y)
    {
        var objective = new LeastSquares(a, y);
        if (a.Columns == 0)
        {
            Guard.Throw($"problem '{name}' has no unknowns (A has 0 columns).");
        }

        if (a.Rows < a.Columns)
        {
            Guard.Throw($"problem '{name}' is singular: A is {a.Rows} × {a.Columns}, fewer rows than columns, so μ = 0.");
        }

        var dense = Matrix<double>.Build.DenseOfArray(a.ToArray());
        var singular = dense.Svd(computeVectors: false).S;
        var max = singular.Maximum();
        var min = singular.Minimum();
        var l = max * max;
        var mu = min * min;
        if (!(mu > 1e-12 * l))
        {
            Guard.Throw($"problem '{name}' is singular: μ = σ_min(A)² = {mu:G4} against L = {l:G4}; a strongly convex problem needs full column rank.");
        }

        var solution = dense.QR().Solve(Vector<double>.Build.DenseOfArray(y)).ToArray();
        return new Problem(name, objective, l, mu, solution, a.Rows);
    }
}
