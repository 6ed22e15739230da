using DiffQuant.Learning.Data;

namespace DiffQuant.Learning.Models;

/// <summary>Scratch rows of a model, grown to the largest batch seen; gathers a batch's features contiguously.</summary>
internal sealed class BatchBuffers(int features)
{
    private float[] _x = [];
    private int[] _labels = [];

    /// <summary>The features (rows × features) and labels of <paramref name="batch"/>, valid until the next call.</summary>
    public (Memory<float> X, Memory<int> Labels) Gather(Dataset data, ReadOnlySpan<int> batch)
    {
        Guard.SameLength(data.Features, features, "the data's features");
        if (_labels.Length < batch.Length)
        {
            _x = new float[batch.Length * features];
            _labels = new int[batch.Length];
        }

        for (var t = 0; t < batch.Length; t++)
        {
            var i = batch[t];
            if ((uint)i >= (uint)data.Count)
            {
                Guard.Throw($"batch index {i} is outside the {data.Count} samples of '{data.Name}'.");
            }

            data.Row(i).CopyTo(_x.AsSpan(t * features, features));
            _labels[t] = data.Label(i);
        }

        return (_x.AsMemory(0, batch.Length * features), _labels.AsMemory(0, batch.Length));
    }

    /// <summary>Logits (rows × classes) of the gathered features of <paramref name="rows"/> samples.</summary>
    public delegate Span<float> Forward(ReadOnlySpan<float> x, int rows);

    /// <summary>Mean cross-entropy and accuracy of <paramref name="forward"/> on all of <paramref name="data"/>, 256 samples at a time.</summary>
    public ModelScore Score(Dataset data, int classes, Forward forward)
    {
        const int block = 256;
        double loss = 0;
        var correct = 0;
        var indices = new int[block];
        for (var start = 0; start < data.Count; start += block)
        {
            var count = Math.Min(block, data.Count - start);
            for (var t = 0; t < count; t++)
            {
                indices[t] = start + t;
            }

            var (x, labels) = Gather(data, indices.AsSpan(0, count));
            var (l, c) = SoftmaxCrossEntropy.Score(forward(x.Span, count), classes, labels.Span);
            loss += l;
            correct += c;
        }

        return new ModelScore(loss / data.Count, (double)correct / data.Count);
    }

    /// <summary>A scratch array of at least <paramref name="length"/> floats kept in <paramref name="slot"/>.</summary>
    public static Span<float> Scratch(ref float[] slot, int length)
    {
        if (slot.Length < length)
        {
            slot = new float[length];
        }

        return slot.AsSpan(0, length);
    }
}
