using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace DiffQuant.Problems;

/// <summary>
/// Least-squares problems f(x) = ½‖y − A x‖² that share A: the Gram matrix G = AᵀA, its extreme
/// eigenvalues L = λ_max(G) and μ = λ_min(G) and its Cholesky factor are computed once; each
/// <see cref="Instance"/> then costs one solve. The gradient form is the cheaper of G x − b (nnz(G), n² when
/// dense) and Aᵀ(A x − y) (2·nnz(A)).
/// </summary>
public sealed class LeastSquaresFamily
{
    private readonly ILinearOperator _gram;
    private readonly Cholesky<double> _cholesky;
    private readonly bool _useGram;

    public LeastSquaresFamily(string name, ILinearOperator a)
    {
        Name = name;
        Matrix = a;
        var n = a.Columns;
        ProblemLimits.FullColumnRankPossible(name, a.Rows, n);

        ProblemLimits.DenseFactorization(n, name);
        _gram = GramMatrix.Compute(a);
        try
        {
            (Mu, L) = SymmetricSpectrum.Extremes(_gram);
        }
        catch (DiffQuantException e)
        {
            throw new DiffQuantException($"problem '{name}': {e.Message}", e);
        }

        ProblemLimits.Nonsingular(name, Mu, L);

        _cholesky = Matrix<double>.Build.DenseOfArray(_gram.ToArray()).Cholesky();
        _useGram = GramMatrix.Cost(_gram) < 2L * GramMatrix.NonZeros(a);
    }

    public string Name { get; }

    public ILinearOperator Matrix { get; }

    public double L { get; }

    public double Mu { get; }

    /// <summary>
    /// The problem with target <paramref name="y"/>: x* from the Cholesky factor of G, refined twice with
    /// residuals r = y − A x computed from A (so x* is as accurate as a QR solve would give).
    /// </summary>
    public Problem Instance(double[] y)
    {
        Guard.SameLength(y.Length, Matrix.Rows, "y (one entry per row of A)");
        Guard.AllFinite(y, "y");
        var n = Matrix.Columns;
        var projection = new double[n];
        Matrix.MultiplyTransposed(y, projection);
        var solution = _cholesky.Solve(Vector<double>.Build.DenseOfArray(projection)).ToArray();
        var residual = new double[Matrix.Rows];
        var correction = new double[n];
        for (var pass = 0; pass < 2; pass++)
        {
            Matrix.Multiply(solution, residual);
            for (var i = 0; i < residual.Length; i++)
            {
                residual[i] = y[i] - residual[i];
            }

            Matrix.MultiplyTransposed(residual, correction);
            var step = _cholesky.Solve(Vector<double>.Build.DenseOfArray(correction));
            for (var j = 0; j < n; j++)
            {
                solution[j] += step[j];
            }
        }

        var samples = new LeastSquares(Matrix, y);
        IStochasticOracle objective = _useGram ? new GramLeastSquares(_gram, samples, projection) : samples;
        return new Problem(Name, objective, L, Mu, solution, Matrix.Rows) { Data = new LeastSquaresData(Matrix, y) };
    }
}
