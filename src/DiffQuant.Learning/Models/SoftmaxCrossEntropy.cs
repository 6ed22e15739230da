namespace DiffQuant.Learning.Models;

/// <summary>Softmax cross-entropy of a block of logits, shared by the models.</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Turns each row of <paramref name="logits"/> (rows × classes) into (softmax − onehot(label))·scale in place,
    /// the gradient of the mean loss when scale = 1/rows, and returns the summed loss −Σ log p_label.
    /// </summary>
    public static double ToGradient(Span<float> logits, int classes, ReadOnlySpan<int> labels, float scale)
    {
        double loss = 0;
        for (var t = 0; t < labels.Length; t++)
        {
            var row = logits.Slice(t * classes, classes);
            var (logSum, _) = LogSumExp(row);
            loss += logSum - row[labels[t]];
            for (var j = 0; j < classes; j++)
            {
                row[j] = (float)Math.Exp(row[j] - logSum) * scale;
            }

            row[labels[t]] -= scale;
        }

        return loss;
    }

    /// <summary>The summed loss and the number of correct argmax predictions of <paramref name="logits"/>.</summary>
    public static (double Loss, int Correct) Score(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels)
    {
        double loss = 0;
        var correct = 0;
        for (var t = 0; t < labels.Length; t++)
        {
            var row = logits.Slice(t * classes, classes);
            var (logSum, best) = LogSumExp(row);
            loss += logSum - row[labels[t]];
            correct += best == labels[t] ? 1 : 0;
        }

        return (loss, correct);
    }

    /// <summary>log Σ exp(z_j), computed against the largest z, and the index of the largest.</summary>
    private static (double LogSum, int Argmax) LogSumExp(ReadOnlySpan<float> z)
    {
        var best = 0;
        for (var j = 1; j < z.Length; j++)
        {
            if (z[j] > z[best])
            {
                best = j;
            }
        }

        double sum = 0;
        for (var j = 0; j < z.Length; j++)
        {
            sum += Math.Exp(z[j] - z[best]);
        }

        return (z[best] + Math.Log(sum), best);
    }
}
