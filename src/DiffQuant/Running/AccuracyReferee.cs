using System.Numerics.Tensors;

namespace DiffQuant.Running;

/// <summary>
/// Measures ‖x̂_t − x*‖ / ‖x̂_0 − x*‖ for the experimenter. It stands outside the protocol: it reads the
/// server's iterate and the problem's x*, and the algorithms never see what it computes.
/// </summary>
public sealed class AccuracyReferee
{
    private readonly double[] _solution;
    private readonly double[] _scratch;
    private readonly double _initialDistance;

    public AccuracyReferee(ReadOnlySpan<double> solution, ReadOnlySpan<double> initialIterate)
    {
        Guard.SameLength(initialIterate.Length, solution.Length, "the initial iterate");
        _solution = solution.ToArray();
        _scratch = new double[solution.Length];
        _initialDistance = Distance(initialIterate);
        if (!(_initialDistance > 0))
        {
            Guard.Throw("the initial iterate already is the solution: relative errors are undefined.");
        }
    }

    /// <summary>‖x̂_0 − x*‖.</summary>
    public double InitialDistance => _initialDistance;

    public double RelativeError(ReadOnlySpan<double> iterate) => Distance(iterate) / _initialDistance;

    private double Distance(ReadOnlySpan<double> iterate)
    {
        TensorPrimitives.Subtract(iterate, _solution, _scratch);
        return TensorPrimitives.Norm<double>(_scratch);
    }
}
