namespace DiffQuant.Objectives;

/// <summary>
/// A differentiable objective f: ℝⁿ → ℝ as seen by a worker. Instances may keep scratch space and
/// are not safe to share between threads; give each worker its own.
/// </summary>
public interface IGradientOracle
{
    /// <summary>n, the dimension of x.</summary>
    int Dimension { get; }

    /// <summary>f(x).</summary>
    double Value(ReadOnlySpan<double> x);

    /// <summary>g = ∇f(x).</summary>
    void Gradient(ReadOnlySpan<double> x, Span<double> gradient);
}
