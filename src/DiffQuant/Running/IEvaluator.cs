namespace DiffQuant.Running;

/// <summary>What an evaluator measures at an iterate; null where it does not apply.</summary>
/// <param name="Loss">f(x̂), the objective's value (for learning problems, the training loss).</param>
/// <param name="LossGap">f(x̂) − f(x*), when x* is known.</param>
/// <param name="Accuracy">The fraction of samples classified correctly, for classifiers.</param>
public readonly record struct Evaluation(double Loss, double? LossGap = null, double? Accuracy = null);

/// <summary>
/// Measures an iterate for the experimenter, next to the <see cref="AccuracyReferee"/>: like it, it stands outside
/// the protocol and the algorithms never see what it computes.
/// </summary>
public interface IEvaluator
{
    Evaluation Evaluate(ReadOnlySpan<double> iterate);
}
