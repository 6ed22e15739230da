namespace DiffQuant.Objectives;

/// <summary>
/// An objective that is a sum over samples, f(x) = Σ_{i&lt;N} f_i(x), and can also return the unbiased mini-batch
/// estimate of its gradient, ĝ = (N/|B|)·Σ_{i∈B} ∇f_i(x), next to the full gradient. Batches are indices in
/// [0, N), repeats allowed (a <see cref="MiniBatchSampler"/> draws them from a seed).
/// </summary>
public interface IStochasticOracle : IGradientOracle
{
    /// <summary>N, the number of samples f_i.</summary>
    int Samples { get; }

    /// <summary>ĝ = (N/|B|)·Σ_{i∈B} ∇f_i(x) into <paramref name="gradient"/>; a batch of all N distinct indices gives ∇f(x).</summary>
    void Gradient(ReadOnlySpan<double> x, ReadOnlySpan<int> batch, Span<double> gradient);
}
