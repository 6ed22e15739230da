using DiffQuant.LinearAlgebra;

namespace DiffQuant.Problems;

/// <summary>Builds one least-squares problem f(x) = ½‖y − A x‖² with exact constants.</summary>
public static class LeastSquaresProblem
{
    /// <summary>
    /// L and μ are the extreme eigenvalues of AᵀA and x* a refined direct solve (see
    /// <see cref="LeastSquaresFamily"/>); a problem with μ ≤ 10⁻¹²·L is refused as singular.
    /// </summary>
    public static Problem Create(string name, ILinearOperator a, double[] y)
    {
        Guard.SameLength(y.Length, a.Rows, "y (one entry per row of A)");
        return new LeastSquaresFamily(name, a).Instance(y);
    }
}
