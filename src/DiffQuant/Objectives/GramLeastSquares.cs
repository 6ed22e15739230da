using System.Numerics.Tensors;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Objectives;

/// <summary>
/// f(x) = ½‖y − A x‖² through its Gram form: ∇f(x) = G x − b with G = AᵀA (dense or sparse) and b = Aᵀy,
/// and f(x) = ½ xᵀG x − bᵀx + ½‖y‖². A gradient costs one product with G (n² or nnz(G) multiply-adds)
/// instead of two with A (2·nnz(A)).
/// </summary>
public sealed class GramLeastSquares : IGradientOracle
{
    private readonly ILinearOperator _gram;
    private readonly double[] _projection;
    private readonly double _targetNormSquared;
    private readonly double[] _scratch;

    /// <param name="gram">G = AᵀA, n × n; kept, not copied.</param>
    /// <param name="projection">b = Aᵀy.</param>
    /// <param name="targetNormSquared">‖y‖².</param>
    public GramLeastSquares(ILinearOperator gram, double[] projection, double targetNormSquared)
    {
        Guard.SameLength(gram.Rows, projection.Length, "the Gram matrix's rows");
        Guard.SameLength(gram.Columns, projection.Length, "the Gram matrix's columns");
        _gram = gram;
        _projection = projection;
        _targetNormSquared = targetNormSquared;
        _scratch = new double[projection.Length];
    }

    public int Dimension => _projection.Length;

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
}
