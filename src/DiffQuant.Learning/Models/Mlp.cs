using System.Numerics.Tensors;
using DiffQuant.Learning.Data;
using DiffQuant.Problems;

namespace DiffQuant.Learning.Models;

/// <summary>
/// A multilayer perceptron d → h (ReLU) → C with softmax cross-entropy: z₁ = W₁x + b₁, a = max(z₁, 0),
/// z₂ = W₂a + b₂, loss (1/|B|)·Σ_B −log softmax(z₂)_y (+ (λ/2)(‖W₁‖² + ‖W₂‖²)). w = [W₁, b₁, W₂, b₂], row-major;
/// W₁ starts He-normal (variance 2/d), W₂ with variance 1/h, biases at 0. Forward and backward are written here
/// (TorchSharp cannot load on these machines) on the binary32 kernels of <see cref="FloatKernels"/>.
/// </summary>
public sealed class Mlp : IModel
{
    private readonly BatchBuffers _buffers;
    private float[] _hidden = [];
    private float[] _logits = [];
    private float[] _hiddenGradient = [];

    public Mlp(int features, int hidden, int classes, double l2 = 0)
    {
        if (features <= 0 || hidden <= 0 || classes < 2 || !(l2 >= 0) || !double.IsFinite(l2))
        {
            Guard.Throw($"an MLP needs features, hidden units > 0, classes ≥ 2 and λ ≥ 0, got {features}, {hidden}, {classes}, {l2}.");
        }

        Features = features;
        Hidden = hidden;
        Classes = classes;
        L2 = l2;
        _buffers = new BatchBuffers(features);
    }

    public string Name => "mlp";

    public int Hidden { get; }

    public int Parameters => (Hidden * Features) + Hidden + (Classes * Hidden) + Classes;

    public int Features { get; }

    public int Classes { get; }

    public double L2 { get; }

    public void Initialize(Span<float> w, long seed)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        w.Clear();
        var w1 = w[..W1Length];
        var w2 = w.Slice(W2Offset, W2Length);
        var draws = GaussianSource.Vector(w1.Length + w2.Length, seed, GaussianSource.Stream.InitialPoint);
        var s1 = Math.Sqrt(2.0 / Features);
        var s2 = Math.Sqrt(1.0 / Hidden);
        for (var i = 0; i < w1.Length; i++)
        {
            w1[i] = (float)(draws[i] * s1);
        }

        for (var i = 0; i < w2.Length; i++)
        {
            w2[i] = (float)(draws[w1.Length + i] * s2);
        }
    }

    public double Gradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> batch, Span<float> gradient)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        Guard.SameLength(gradient.Length, Parameters, "the gradient");
        if (batch.IsEmpty)
        {
            Guard.Throw("a mini-batch needs at least one index.");
        }

        var rows = batch.Length;
        var (x, labels) = _buffers.Gather(data, batch);
        Forward(w, x.Span, rows);
        var hidden = _hidden.AsSpan(0, rows * Hidden);
        var logits = _logits.AsSpan(0, rows * Classes);
        var loss = SoftmaxCrossEntropy.ToGradient(logits, Classes, labels.Span, 1f / rows) / rows;

        gradient.Clear();
        var w1 = w[..W1Length];
        var w2 = w.Slice(W2Offset, W2Length);
        var g1 = gradient[..W1Length];
        var gb1 = gradient.Slice(W1Length, Hidden);
        var g2 = gradient.Slice(W2Offset, W2Length);
        var gb2 = gradient[(W2Offset + W2Length)..];
        FloatKernels.AddTransposedProduct(logits, Classes, hidden, Hidden, g2);
        for (var t = 0; t < rows; t++)
        {
            TensorPrimitives.Add(gb2, logits.Slice(t * Classes, Classes), gb2);
        }

        // ∂/∂a = dz₂ W₂, masked where z₁ ≤ 0 (a = 0 there).
        var da = BatchBuffers.Scratch(ref _hiddenGradient, rows * Hidden);
        FloatKernels.Multiply(logits, Classes, w2, Hidden, da);
        for (var i = 0; i < da.Length; i++)
        {
            if (hidden[i] <= 0)
            {
                da[i] = 0;
            }
        }

        FloatKernels.AddTransposedProduct(da, Hidden, x.Span, Features, g1);
        for (var t = 0; t < rows; t++)
        {
            TensorPrimitives.Add(gb1, da.Slice(t * Hidden, Hidden), gb1);
        }

        if (L2 > 0)
        {
            TensorPrimitives.MultiplyAdd(w1, (float)L2, g1, g1);
            TensorPrimitives.MultiplyAdd(w2, (float)L2, g2, g2);
            loss += 0.5 * L2 * (TensorPrimitives.SumOfSquares(w1) + TensorPrimitives.SumOfSquares(w2));
        }

        return loss;
    }

    public ModelScore Evaluate(ReadOnlySpan<float> w, Dataset data)
    {
        Guard.SameLength(w.Length, Parameters, "the parameters");
        var parameters = w.ToArray();
        return _buffers.Score(data, Classes, (x, rows) =>
        {
            Forward(parameters, x, rows);
            return _logits.AsSpan(0, rows * Classes);
        });
    }

    private int W1Length => Hidden * Features;

    private int W2Offset => W1Length + Hidden;

    private int W2Length => Classes * Hidden;

    /// <summary>Fills the scratch rows: a = max(X W₁ᵀ + b₁, 0) (rows × h) and z₂ = a W₂ᵀ + b₂ (rows × C).</summary>
    private void Forward(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int rows)
    {
        var w1 = w[..W1Length];
        var b1 = w.Slice(W1Length, Hidden);
        var w2 = w.Slice(W2Offset, W2Length);
        var b2 = w[(W2Offset + W2Length)..];
        var hidden = BatchBuffers.Scratch(ref _hidden, rows * Hidden);
        FloatKernels.MultiplyTransposed(x, w1, Features, hidden, Hidden);
        for (var t = 0; t < rows; t++)
        {
            var row = hidden.Slice(t * Hidden, Hidden);
            TensorPrimitives.Add(row, b1, row);
            TensorPrimitives.Max(row, 0f, row);
        }

        var logits = BatchBuffers.Scratch(ref _logits, rows * Classes);
        FloatKernels.MultiplyTransposed(hidden, w2, Hidden, logits, Classes);
        for (var t = 0; t < rows; t++)
        {
            var row = logits.Slice(t * Classes, Classes);
            TensorPrimitives.Add(row, b2, row);
        }
    }
}
