using System.Numerics.Tensors;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Objectives;

/// <summary>
/// f(x) = ½‖y − A x‖² through its Gram form: ∇f(x) = G x − b with G = AᵀA (dense or sparse) and b = Aᵀy,
/// and f(x) = ½ xᵀG x − bᵀx + ½‖y‖². A gradient costs one product with G (n² or nnz(G) multiply-adds)
/// instead of two with A (2·nnz(A)); mini-batch gradients come from the rows of A (<see cref="LeastSquares"/>).
/// </summary>
public sealed class GramLeastSquares : IStochasticOracle
{
    private readonly LeastSquares _samples;
    private readonly ILinearOperator _gram;
    private readonly double[] _projection;
    private readonly double _targetNormSquared;
    private readonly double[] _scratch;

    /// <param name="gram">G = AᵀA, n × n; kept, not copied.</param>
    /// <param name="samples">The same f in the form of A and y, for mini-batches.</param>
    /// <param name="projection">b = Aᵀy, or null to compute it.</param>
    public GramLeastSquares(ILinearOperator gram, LeastSquares samples, double[]? projection = null)
    {
        _samples = samples;
        if (projection is null)
        {
            projection = new double[samples.Dimension];
            samples.Matrix.MultiplyTransposed(samples.Target, projection);
        }

        var targetNormSquared = TensorPrimitives.SumOfSquares(samples.Target);
        Guard.SameLength(gram.Rows, projection.Length, "the Gram matrix's rows");
        Guard.SameLength(gram.Columns, projection.Length, "the Gram matrix's columns");
        _gram = gram;
        _projection = projection;
        _targetNormSquared = targetNormSquared;
        _scratch = new double[projection.Length];
    }

    public int Dimension => _projection.Length;

    public int Samples => _samples.Samples;

    public double Value(ReadOnlySpan<double> x)
    {
        Gradient(x, _scratch);

        // ½xᵀGx − bᵀx = ½xᵀ(Gx − b) − ½bᵀx
        return (0.5 * TensorPrimitives.Dot(x, _scratch)) - (0.5 * TensorPrimitives.Dot<double>(_projection, x)) + (0.5 * _targetNormSquared);
    }

    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        _gram.Multiply(x, gradient);
        TensorPrimitives.Subtract(gradient, _projection, gradient);
    }

    public void Gradient(ReadOnlySpan<double> x, ReadOnlySpan<int> batch, Span<double> gradient) => _samples.Gradient(x, batch, gradient);
}
