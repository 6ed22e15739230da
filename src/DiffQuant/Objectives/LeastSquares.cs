using System.Numerics.Tensors;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Objectives;

/// <summary>f(x) = ½‖y − A x‖², ∇f(x) = Aᵀ(A x − y), for dense or sparse A.</summary>
public sealed class LeastSquares : IGradientOracle
{
    private readonly double[] _y;
    private readonly double[] _residual;

    public LeastSquares(ILinearOperator a, double[] y)
    {
        Guard.SameLength(y.Length, a.Rows, "y (one entry per row of A)");
        Guard.AllFinite(y, "y");
        Matrix = a;
        _y = y;
        _residual = new double[a.Rows];
    }

    public ILinearOperator Matrix { get; }

    public ReadOnlySpan<double> Target => _y;

    public int Dimension => Matrix.Columns;

    public double Value(ReadOnlySpan<double> x)
    {
        Residual(x);
        var norm = TensorPrimitives.Norm(_residual);
        return 0.5 * norm * norm;
    }

    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Residual(x);
        Matrix.MultiplyTransposed(_residual, gradient);
    }

    private void Residual(ReadOnlySpan<double> x)
    {
        Guard.SameLength(x.Length, Dimension, "x");
        Matrix.Multiply(x, _residual);
        TensorPrimitives.Subtract(_residual, _y, _residual);
    }
}
