using System.Globalization;
using DiffQuant.Learning.Data;

namespace DiffQuant.Cluster;

/// <summary>
/// Where a run's data is, as text every machine can resolve itself (the server never ships data):
/// <c>fashion-mnist</c>, <c>synthetic:TRAIN,TEST,FEATURES,CLASSES,SEPARATION,SEED</c> or <c>libsvm:PATH</c> (a seeded
/// seventh held out, as `dq train` does), optionally followed by <c>?test=PATH</c> (a LIBSVM test file instead of the
/// held-out seventh), <c>&amp;positive=C</c> (class C against the rest) and <c>&amp;holdout=SEED</c> (the seed of the held-out
/// seventh, when it is not the run's: a comparison over seeds keeps one split), paths escaped as in a URI.
/// </summary>
public static class DataSpec
{
    public static string Synthetic(int train, int test, int features, int classes, double separation, long seed) =>
        string.Create(CultureInfo.InvariantCulture, $"synthetic:{train},{test},{features},{classes},{separation:R},{seed}");

    /// <summary>
    /// `dq train --data DATA [--test TEST] [--positive-class C]` as a spec: <paramref name="data"/> is fashion-mnist or a
    /// LIBSVM file (made absolute here, so the silos read the file this command names).
    /// </summary>
    /// <param name="holdout">The seed that picks the held-out seventh (null: each run's own seed).</param>
    public static string Of(string data, string? test, int? positive, long? holdout = null)
    {
        var spec = data == "fashion-mnist" ? data : $"libsvm:{Uri.EscapeDataString(Path.GetFullPath(data))}";
        var query = new List<string>();
        if (test is not null)
        {
            query.Add($"test={Uri.EscapeDataString(Path.GetFullPath(test))}");
        }

        if (positive is { } c)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"positive={c}"));
        }

        if (holdout is { } h && test is null && data != "fashion-mnist")
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"holdout={h}"));
        }

        return query.Count == 0 ? spec : $"{spec}?{string.Join('&', query)}";
    }

    public static DataSplit Load(string spec, long seed)
    {
        var at = spec.IndexOf('?', StringComparison.Ordinal);
        if (at < 0)
        {
            return LoadBase(spec, seed, null);
        }

        string? test = null;
        int? positive = null;
        foreach (var pair in spec[(at + 1)..].Split('&'))
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, string.Empty);
            switch (name)
            {
                case "test":
                    test = value;
                    break;
                case "positive" when int.TryParse(value, CultureInfo.InvariantCulture, out var c):
                    positive = c;
                    break;
                case "holdout" when long.TryParse(value, CultureInfo.InvariantCulture, out var h):
                    seed = h;
                    break;
                default:
                    throw new DiffQuantException($"unknown part '{pair}' of data spec '{spec}'; use ?test=PATH, &positive=C and &holdout=SEED.");
            }
        }

        var split = LoadBase(spec[..at], seed, test);
        return positive is { } p ? split.OneVsRest(p) : split;
    }

    private static DataSplit LoadBase(string spec, long seed, string? test)
    {
        if (test is not null && !spec.StartsWith("libsvm:", StringComparison.Ordinal))
        {
            throw new DiffQuantException($"a test file applies to a LIBSVM data spec, not '{spec}'.");
        }

        if (spec == "fashion-mnist")
        {
            return DataSources.FashionMnist();
        }

        if (spec.StartsWith("libsvm:", StringComparison.Ordinal))
        {
            var train = LibSvmReader.Read(Uri.UnescapeDataString(spec["libsvm:".Length..]));
            return test is null ? DataSources.HoldOut(train, 7, seed) : new DataSplit(train, LibSvmReader.Read(test, train.Features));
        }

        if (spec.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            var parts = spec["synthetic:".Length..].Split(',');
            if (parts.Length == 6
                && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var train)
                && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var testCount)
                && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var features)
                && int.TryParse(parts[3], CultureInfo.InvariantCulture, out var classes)
                && double.TryParse(parts[4], CultureInfo.InvariantCulture, out var separation)
                && long.TryParse(parts[5], CultureInfo.InvariantCulture, out var dataSeed))
            {
                return DataSources.Synthetic(train, testCount, features, classes, separation, dataSeed);
            }
        }

        throw new DiffQuantException($"unknown data spec '{spec}'; use fashion-mnist, synthetic:TRAIN,TEST,FEATURES,CLASSES,SEPARATION,SEED or libsvm:PATH.");
    }
}
