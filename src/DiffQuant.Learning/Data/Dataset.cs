namespace DiffQuant.Learning.Data;

/// <summary>
/// A labelled data set held in memory: <see cref="Count"/> samples of <see cref="Features"/> binary32 values each,
/// row-major, and one class label in [0, <see cref="Classes"/>) per sample.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _x;
    private readonly int[] _labels;

    /// <param name="x">Row-major features, length count·features; kept, not copied.</param>
    /// <param name="labels">One label per sample; kept, not copied.</param>
    public Dataset(string name, float[] x, int[] labels, int features, int classes)
    {
        if (features <= 0 || classes < 2)
        {
            Guard.Throw($"data set '{name}' needs at least one feature and two classes, got {features} and {classes}.");
        }

        Guard.SameLength(x.Length, labels.Length * features, $"the features of '{name}' (samples × features)");
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                Guard.Throw($"data set '{name}': sample {i + 1} has label {labels[i]}, outside 0..{classes - 1}.");
            }
        }

        Name = name;
        _x = x;
        _labels = labels;
        Features = features;
        Classes = classes;
    }

    public string Name { get; }

    public int Count => _labels.Length;

    public int Features { get; }

    public int Classes { get; }

    /// <summary>The features of sample <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Row(int i) => _x.AsSpan(i * Features, Features);

    public int Label(int i) => _labels[i];

    /// <summary>
    /// The same samples labelled 1 for class <paramref name="positive"/> and 0 for the rest: two-class softmax regression
    /// on it is L2-regularized binary logistic regression (in the redundant two-weight-vector form).
    /// </summary>
    public Dataset OneVsRest(int positive)
    {
        if ((uint)positive >= (uint)Classes)
        {
            Guard.Throw($"class {positive} is not one of the {Classes} classes (0..{Classes - 1}) of '{Name}'.");
        }

        return new Dataset($"{Name}, class {positive} against the rest", _x, [.. _labels.Select(l => l == positive ? 1 : 0)], Features, 2);
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order, as a new data set.</summary>
    public Dataset Select(ReadOnlySpan<int> indices, string? name = null)
    {
        var x = new float[indices.Length * Features];
        var labels = new int[indices.Length];
        for (var k = 0; k < indices.Length; k++)
        {
            Row(indices[k]).CopyTo(x.AsSpan(k * Features, Features));
            labels[k] = _labels[indices[k]];
        }

        return new Dataset(name ?? Name, x, labels, Features, Classes);
    }
}

/// <summary>A training set and the test set it is judged on.</summary>
public sealed record DataSplit(Dataset Train, Dataset Test)
{
    /// <summary>Both sets relabelled class <paramref name="positive"/> against the rest (1 and 0): a binary problem.</summary>
    public DataSplit OneVsRest(int positive) => new(Train.OneVsRest(positive), Test.OneVsRest(positive));
}
