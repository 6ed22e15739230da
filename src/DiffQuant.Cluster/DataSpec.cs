using System.Globalization;
using DiffQuant.Learning.Data;

namespace DiffQuant.Cluster;

/// <summary>
/// Where a run's data is, as text every machine can resolve itself (the server never ships data):
/// <c>fashion-mnist</c>, <c>synthetic:TRAIN,TEST,FEATURES,CLASSES,SEPARATION,SEED</c> or <c>libsvm:PATH</c> (a seeded
/// seventh held out, as `dq train` does).
/// </summary>
public static class DataSpec
{
    public static string Synthetic(int train, int test, int features, int classes, double separation, long seed) =>
        string.Create(CultureInfo.InvariantCulture, $"synthetic:{train},{test},{features},{classes},{separation:R},{seed}");

    public static DataSplit Load(string spec, long seed)
    {
        if (spec == "fashion-mnist")
        {
            return DataSources.FashionMnist();
        }

        if (spec.StartsWith("libsvm:", StringComparison.Ordinal))
        {
            return DataSources.HoldOut(LibSvmReader.Read(spec["libsvm:".Length..]), 7, seed);
        }

        if (spec.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            var parts = spec["synthetic:".Length..].Split(',');
            if (parts.Length == 6
                && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var train)
                && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var test)
                && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var features)
                && int.TryParse(parts[3], CultureInfo.InvariantCulture, out var classes)
                && double.TryParse(parts[4], CultureInfo.InvariantCulture, out var separation)
                && long.TryParse(parts[5], CultureInfo.InvariantCulture, out var dataSeed))
            {
                return DataSources.Synthetic(train, test, features, classes, separation, dataSeed);
            }
        }

        throw new DiffQuantException($"unknown data spec '{spec}'; use fashion-mnist, synthetic:TRAIN,TEST,FEATURES,CLASSES,SEPARATION,SEED or libsvm:PATH.");
    }
}
