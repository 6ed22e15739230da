using DiffQuant.Learning.Data;

namespace DiffQuant.Learning.Models;

/// <summary>What an evaluator measures of a model on a data set: mean cross-entropy loss and accuracy.</summary>
public readonly record struct ModelScore(double Loss, double Accuracy);

/// <summary>
/// A classifier with a flat binary32 parameter vector w (what the workers and the server exchange). Instances keep
/// scratch space and are not thread-safe: give each worker its own.
/// </summary>
public interface IModel
{
    string Name { get; }

    /// <summary>P, the length of w.</summary>
    int Parameters { get; }

    int Features { get; }

    int Classes { get; }

    /// <summary>w_0, drawn from <paramref name="seed"/>.</summary>
    void Initialize(Span<float> w, long seed);

    /// <summary>
    /// The mean loss over the samples <paramref name="batch"/> of <paramref name="data"/> (plus the regularizer), and
    /// its gradient with respect to w into <paramref name="gradient"/>.
    /// </summary>
    double Gradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> batch, Span<float> gradient);

    /// <summary>Mean cross-entropy (without the regularizer) and accuracy of w on all of <paramref name="data"/>.</summary>
    ModelScore Evaluate(ReadOnlySpan<float> w, Dataset data);
}
