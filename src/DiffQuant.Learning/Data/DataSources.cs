namespace DiffQuant.Learning.Data;

/// <summary>Where `dq train --data` finds its data: Fashion-MNIST from Debian's package, or a LIBSVM file pair.</summary>
public static class DataSources
{
    /// <summary>Where Debian's dataset-fashion-mnist installs the gzip IDX files.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's 60,000 training and 10,000 test images (28 × 28, 10 classes) from <paramref name="folder"/>.</summary>
    public static DataSplit FashionMnist(string folder = FashionMnistFolder)
    {
        if (!Directory.Exists(folder))
        {
            Guard.Throw($"Fashion-MNIST not found in '{folder}'; install it with 'apt-get install dataset-fashion-mnist' (Debian) or pass --data PATH.");
        }

        string File(string name) => Path.Combine(folder, name);
        return new DataSplit(
            IdxReader.Read(File("train-images-idx3-ubyte.gz"), File("train-labels-idx1-ubyte.gz"), 10, "fashion-mnist train"),
            IdxReader.Read(File("t10k-images-idx3-ubyte.gz"), File("t10k-labels-idx1-ubyte.gz"), 10, "fashion-mnist test"));
    }

    /// <summary>A seeded split of <paramref name="data"/>: every <paramref name="every"/>-th sample of a shuffle held out for testing.</summary>
    public static DataSplit HoldOut(Dataset data, int every, long seed)
    {
        if (data.Count < every)
        {
            Guard.Throw($"'{data.Name}' has {data.Count} samples, too few to hold out one in {every} for testing.");
        }

        var order = new int[data.Count];
        new DiffQuant.Problems.Xoshiro256((ulong)seed ^ 0x2545F4914F6CDD1DUL).Permutation(order);

        var test = order.Where((_, k) => k % every == 0).ToArray();
        var train = order.Where((_, k) => k % every != 0).ToArray();
        return new DataSplit(data.Select(train, data.Name + " train"), data.Select(test, data.Name + " test"));
    }

    /// <summary>
    /// A seeded synthetic classification set for tests and demos: <paramref name="classes"/> Gaussian clusters in
    /// <paramref name="features"/> dimensions, unit noise around means of length <paramref name="separation"/>.
    /// </summary>
    public static DataSplit Synthetic(int train, int test, int features, int classes, double separation, long seed)
    {
        var means = DiffQuant.Problems.GaussianSource.Vector(classes * features, seed, DiffQuant.Problems.GaussianSource.Stream.Matrix);
        for (var c = 0; c < classes; c++)
        {
            var mean = means.AsSpan(c * features, features);
            var norm = Math.Sqrt(mean.ToArray().Sum(v => v * v));
            for (var j = 0; j < features; j++)
            {
                mean[j] *= separation / norm;
            }
        }

        Dataset Make(int count, DiffQuant.Problems.GaussianSource.Stream stream, string name)
        {
            var noise = DiffQuant.Problems.GaussianSource.Vector(count * features, seed, stream);
            var x = new float[count * features];
            var labels = new int[count];
            for (var i = 0; i < count; i++)
            {
                labels[i] = i % classes;
                for (var j = 0; j < features; j++)
                {
                    x[(i * features) + j] = (float)(means[(labels[i] * features) + j] + noise[(i * features) + j]);
                }
            }

            return new Dataset(name, x, labels, features, classes);
        }

        return new DataSplit(Make(train, DiffQuant.Problems.GaussianSource.Stream.Target, "synthetic train"), Make(test, DiffQuant.Problems.GaussianSource.Stream.InitialPoint, "synthetic test"));
    }
}
