using System.Numerics.Tensors;

namespace DiffQuant.LinearAlgebra;

/// <summary>
/// Least squares min ½‖y − A x‖² by conjugate gradients on the normal equations in the CGLS form (residual r = y − A x
/// updated, s = Aᵀr recomputed each step): two products with A a step, error shrinking by (√κ−1)/(√κ+1) per step.
/// Written here because MathNet's iterative solvers need a square matrix type and would form or wrap AᵀA; CGLS keeps
/// A as it is. Used for x* when AᵀA is too large to factor.
/// </summary>
public static class Cgls
{
    /// <summary>
    /// x with ‖Aᵀ(y − A x)‖ ≤ <paramref name="tolerance"/>·‖Aᵀy‖, from x = 0; refuses to answer when that takes more than
    /// <paramref name="maxSteps"/> steps.
    /// </summary>
    public static double[] Solve(ILinearOperator a, ReadOnlySpan<double> y, double tolerance = 1e-13, int maxSteps = 100_000)
    {
        Guard.SameLength(y.Length, a.Rows, "y (one entry per row of A)");
        var x = new double[a.Columns];
        var r = y.ToArray();
        var s = new double[a.Columns];
        a.MultiplyTransposed(r, s);
        var p = s.ToArray();
        var q = new double[a.Rows];
        var gamma = TensorPrimitives.SumOfSquares<double>(s);
        var goal = tolerance * tolerance * gamma;
        for (var step = 0; step < maxSteps; step++)
        {
            if (gamma <= goal)
            {
                return x;
            }

            a.Multiply(p, q);
            var alpha = gamma / TensorPrimitives.SumOfSquares<double>(q);
            TensorPrimitives.MultiplyAdd(p, alpha, x, x);
            TensorPrimitives.MultiplyAdd(q, -alpha, r, r);
            a.MultiplyTransposed(r, s);
            var next = TensorPrimitives.SumOfSquares<double>(s);
            TensorPrimitives.MultiplyAdd(p, next / gamma, s, p);
            gamma = next;
        }

        throw new DiffQuantException($"least squares by CGLS did not reach ‖Aᵀr‖ ≤ {tolerance:G2}·‖Aᵀy‖ in {maxSteps} steps (at {Math.Sqrt(gamma / (goal / (tolerance * tolerance))):G3}); A is too ill-conditioned for it.");
    }
}
