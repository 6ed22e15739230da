using System.Numerics.Tensors;
using DiffQuant.Learning.Data;

namespace DiffQuant.Learning.Models;

/// <summary>
/// L2-regularized multinomial logistic regression: logits z = W x + b with W (C × d), loss
/// (1/|B|)·Σ_B −log softmax(z)_y + (λ/2)‖W‖² (strongly convex for λ &gt; 0). w = [W row-major, b].
/// </summary>
public sealed class SoftmaxRegression : IModel
{
    private readonly BatchBuffers _buffers;
    private float[] _logits = [];

    public SoftmaxRegression(int features, int classes, double l2)
    {
        if (features <= 0 || classes < 2 || !(l2 >= 0) || !double.IsFinite(l2))
        {
            Guard.Throw($"softmax regression needs features > 0, classes ≥ 2 and λ ≥ 0, got {features}, {classes}, {l2}.");
        }

        Features = features;
        Classes = classes;
        L2 = l2;
        _buffers = new BatchBuffers(features);
    }

    public string Name => "softmax";

    public int Parameters => (Classes * Features) + Classes;

    public int Features { get; }

    public int Classes { get; }

    /// <summary>λ, the L2 weight on W.</summary>
    public double L2 { get; }

    public void Initialize(Span<float> w, long seed)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        w.Clear();
    }

    public double Gradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> batch, Span<float> gradient)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        Guard.SameLength(gradient.Length, Parameters, "the gradient");
        if (batch.IsEmpty)
        {
            Guard.Throw("a mini-batch needs at least one index.");
        }

        var weights = w[..(Classes * Features)];
        var bias = w[(Classes * Features)..];
        var (x, labels) = _buffers.Gather(data, batch);
        var logits = Logits(weights, bias, x.Span, batch.Length);
        var loss = SoftmaxCrossEntropy.ToGradient(logits, Classes, labels.Span, 1f / batch.Length) / batch.Length;

        var gw = gradient[..(Classes * Features)];
        var gb = gradient[(Classes * Features)..];
        gw.Clear();
        FloatKernels.AddTransposedProduct(logits, Classes, x.Span, Features, gw);
        gb.Clear();
        for (var t = 0; t < batch.Length; t++)
        {
            TensorPrimitives.Add(gb, logits.Slice(t * Classes, Classes), gb);
        }

        if (L2 > 0)
        {
            TensorPrimitives.MultiplyAdd(weights, (float)L2, gw, gw);
            loss += 0.5 * L2 * TensorPrimitives.SumOfSquares(weights);
        }

        return loss;
    }

    public ModelScore Evaluate(ReadOnlySpan<float> w, Dataset data)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        var parameters = w.ToArray();
        return _buffers.Score(data, Classes, (x, rows) => Logits(parameters.AsSpan(0, Classes * Features), parameters.AsSpan(Classes * Features), x, rows));
    }

    private Span<float> Logits(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, int rows)
    {
        var logits = BatchBuffers.Scratch(ref _logits, rows * Classes);
        FloatKernels.MultiplyTransposed(x, weights, Features, logits, Classes);
        for (var t = 0; t < rows; t++)
        {
            var row = logits.Slice(t * Classes, Classes);
            TensorPrimitives.Add(row, bias, row);
        }

        return logits;
    }
}
