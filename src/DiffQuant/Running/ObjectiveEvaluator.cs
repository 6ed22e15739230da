using System.Numerics.Tensors;
using DiffQuant.Objectives;

namespace DiffQuant.Running;

/// <summary>
/// The loss f(x̂) of the whole objective and, when x* is given, the gap f(x̂) − f(x*) taken as the trapezoid
/// ½⟨∇f(x̂) + ∇f(x*), x̂ − x*⟩: exact for quadratics such as least squares, and free of the cancellation that
/// subtracting two nearly equal losses suffers (a gap of 1e-20 against f ≈ 400 would read 0).
/// </summary>
public sealed class ObjectiveEvaluator : IEvaluator
{
    private readonly IGradientOracle _objective;
    private readonly double[]? _solution;
    private readonly double[] _gradient;
    private readonly double[] _solutionGradient;
    private readonly double[] _difference;

    /// <param name="objective">f, the sum of every worker's part; evaluated on the caller's thread.</param>
    /// <param name="solution">x*, or empty when unknown.</param>
    public ObjectiveEvaluator(IGradientOracle objective, ReadOnlySpan<double> solution = default)
    {
        var n = objective.Dimension;
        _objective = objective;
        _gradient = new double[n];
        _solutionGradient = new double[n];
        _difference = new double[n];
        if (!solution.IsEmpty)
        {
            Guard.SameLength(solution.Length, n, "the solution");
            _solution = solution.ToArray();
            objective.Gradient(_solution, _solutionGradient);
        }
    }

    public Evaluation Evaluate(ReadOnlySpan<double> iterate)
    {
        var loss = _objective.Value(iterate);
        if (_solution is null)
        {
            return new Evaluation(loss);
        }

        _objective.Gradient(iterate, _gradient);
        TensorPrimitives.Add(_gradient, _solutionGradient, _gradient);
        TensorPrimitives.Subtract(iterate, _solution, _difference);
        return new Evaluation(loss, 0.5 * TensorPrimitives.Dot(_gradient, _difference));
    }
}
