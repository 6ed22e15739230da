using System.Numerics.Tensors;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Objectives;

/// <summary>
/// f(x) = ½‖y − A x‖² = Σ_i f_i(x) with f_i(x) = ½(a_iᵀx − y_i)² over the m rows a_i of A (dense or sparse):
/// ∇f(x) = Aᵀ(A x − y), and the mini-batch estimate ĝ = (m/|B|)·Σ_{i∈B} a_i(a_iᵀx − y_i).
/// </summary>
public sealed class LeastSquares : IStochasticOracle
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

    public int Samples => Matrix.Rows;

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

    public void Gradient(ReadOnlySpan<double> x, ReadOnlySpan<int> batch, Span<double> gradient)
    {
        Guard.SameLength(x.Length, Dimension, "x");
        Guard.SameLength(gradient.Length, Dimension, "the gradient");
        if (batch.IsEmpty)
        {
            Guard.Throw("a mini-batch needs at least one index.");
        }

        gradient.Clear();
        var weight = (double)Samples / batch.Length;
        foreach (var i in batch)
        {
            if ((uint)i >= (uint)Samples)
            {
                Guard.Throw($"batch index {i} is outside the {Samples} samples (rows of A).");
            }

            Matrix.AddRow(i, weight * (Matrix.RowDot(i, x) - _y[i]), gradient);
        }
    }

    private void Residual(ReadOnlySpan<double> x)
    {
        Guard.SameLength(x.Length, Dimension, "x");
        Matrix.Multiply(x, _residual);
        TensorPrimitives.Subtract(_residual, _y, _residual);
    }
}
