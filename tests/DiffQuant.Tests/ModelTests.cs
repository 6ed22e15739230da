using DiffQuant.Learning.Data;
using DiffQuant.Learning.Models;

namespace DiffQuant.Tests;

public class ModelTests
{
    private static readonly DataSplit Data = DataSources.Synthetic(train: 64, test: 32, features: 7, classes: 3, separation: 4, seed: 5);

    public static TheoryData<string> Models => ["softmax", "mlp"];

    private static IModel Create(string name) => name == "softmax"
        ? new SoftmaxRegression(7, 3, l2: 0.01)
        : new Mlp(7, 5, 3, l2: 0.01);

    /// <summary>Central differences of the batch loss in double-checked directions against the analytic gradient.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Gradients_match_finite_differences(string name)
    {
        var model = Create(name);
        var w = new float[model.Parameters];
        model.Initialize(w, 3);
        var noise = DiffQuant.Problems.GaussianSource.Vector(w.Length, 4, DiffQuant.Problems.GaussianSource.Stream.Solution);
        for (var i = 0; i < w.Length; i++)
        {
            w[i] += (float)(0.3 * noise[i]);
        }

        int[] batch = [0, 5, 9, 13, 21, 22, 40];
        var gradient = new float[w.Length];
        model.Gradient(w, Data.Train, batch, gradient);
        var scratch = new float[w.Length];
        for (var k = 0; k < 6; k++)
        {
            var direction = DiffQuant.Problems.GaussianSource.Vector(w.Length, 10 + k, DiffQuant.Problems.GaussianSource.Stream.Target);
            const float h = 1e-3f;
            var plus = w.Select((v, i) => v + (float)(h * direction[i])).ToArray();
            var minus = w.Select((v, i) => v - (float)(h * direction[i])).ToArray();
            var numeric = (model.Gradient(plus, Data.Train, batch, scratch) - model.Gradient(minus, Data.Train, batch, scratch)) / (2 * h);
            var analytic = gradient.Select((g, i) => g * direction[i]).Sum();
            Assert.True(Math.Abs(numeric - analytic) <= 2e-3 * (1 + Math.Abs(analytic)), $"{name}: directional derivative {numeric} vs {analytic}");
        }
    }

    /// <summary>Full-batch gradient descent drives the training loss down and classifies the separable clusters.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Gradient_descent_learns_the_synthetic_clusters(string name)
    {
        var model = Create(name);
        var w = new float[model.Parameters];
        model.Initialize(w, 3);
        var all = Enumerable.Range(0, Data.Train.Count).ToArray();
        var gradient = new float[w.Length];
        var first = model.Evaluate(w, Data.Train).Loss;
        for (var step = 0; step < 200; step++)
        {
            model.Gradient(w, Data.Train, all, gradient);
            for (var i = 0; i < w.Length; i++)
            {
                w[i] -= 0.2f * gradient[i];
            }
        }

        var train = model.Evaluate(w, Data.Train);
        Assert.True(train.Loss < 0.5 * first, $"{name}: loss {train.Loss} from {first}");
        Assert.True(model.Evaluate(w, Data.Test).Accuracy >= 0.8, $"{name}: test accuracy {model.Evaluate(w, Data.Test).Accuracy}");
    }

    public static TheoryData<int> Widths => [.. new[] { 0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 129 }];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Float_kernels_match_their_scalar_references(int k)
    {
        for (var rows = 0; rows <= 5; rows++)
        {
            foreach (var columns in new[] { 1, 3, 4, 5, 9 })
            {
                var a = Floats(rows * k, (k * 31) + rows);
                var b = Floats(columns * k, (k * 37) + columns);
                var fast = new float[rows * columns];
                var reference = new float[rows * columns];
                FloatKernels.MultiplyTransposed(a, b, k, fast, columns);
                FloatKernels.MultiplyTransposed(a, b, k, reference, columns, scalar: true);
                AssertClose(reference, fast, k);

                var c = Floats(rows * columns, 7);
                var product = new float[columns * k];
                var productReference = new float[columns * k];
                FloatKernels.AddTransposedProduct(c, columns, a, k, product);
                FloatKernels.AddTransposedProduct(c, columns, a, k, productReference, scalar: true);
                AssertClose(productReference, product, rows);

                var d = new float[rows * k];
                var dReference = new float[rows * k];
                FloatKernels.Multiply(c, columns, b, k, d);
                FloatKernels.Multiply(c, columns, b, k, dReference, scalar: true);
                AssertClose(dReference, d, columns);
            }
        }
    }

    private static float[] Floats(int length, long seed) =>
        [.. DiffQuant.Problems.GaussianSource.Vector(length, seed, DiffQuant.Problems.GaussianSource.Stream.Matrix).Select(v => (float)v)];

    private static void AssertClose(float[] expected, float[] actual, int terms)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + terms) * (1 + Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
        }
    }
}
