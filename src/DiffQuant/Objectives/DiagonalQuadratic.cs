using System.Numerics.Tensors;

namespace DiffQuant.Objectives;

/// <summary>
/// f(x) = ½ Σ λ_i (x_i − x*_i)², ∇f(x)_i = λ_i (x_i − x*_i): a strongly convex quadratic whose
/// spectrum {λ_i} is chosen exactly, for checking rates against their closed forms.
/// </summary>
public sealed class DiagonalQuadratic : IGradientOracle
{
    private readonly double[] _eigenvalues;
    private readonly double[] _solution;

    public DiagonalQuadratic(double[] eigenvalues, double[] solution)
    {
        Guard.SameLength(solution.Length, eigenvalues.Length, "the solution");
        Guard.AllFinite(eigenvalues, "eigenvalues");
        Guard.AllFinite(solution, "solution");
        _eigenvalues = eigenvalues;
        _solution = solution;
    }

    public int Dimension => _eigenvalues.Length;

    public ReadOnlySpan<double> Eigenvalues => _eigenvalues;

    public double Value(ReadOnlySpan<double> x)
    {
        Guard.SameLength(x.Length, Dimension, "x");
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var d = x[i] - _solution[i];
            sum += _eigenvalues[i] * d * d;
        }

        return 0.5 * sum;
    }

    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Guard.SameLength(x.Length, Dimension, "x");
        TensorPrimitives.Subtract(x, _solution, gradient);
        TensorPrimitives.Multiply(gradient, _eigenvalues, gradient);
    }
}
