using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Lab;

/// <summary>One method of a comparison: test accuracy and final training loss over seeds, and the bits it sent each way.</summary>
public sealed record TrainComparisonRow(
    string Method,
    int Seeds,
    double TestAccuracyMean,
    double TestAccuracyStd,
    double TrainLossMean,
    double UplinkBitsMean,
    double DownlinkBitsMean,
    double CompressionRatioMean,
    double BitsPerCoordinateMean,
    double WallSecondsMean);

/// <summary>The standard table: every method of <see cref="TrainingMethod.Standard"/> (or the given ones) over several seeds.</summary>
public sealed record TrainComparisonResult(string Model, string Data, TrainOptions Options, IReadOnlyList<TrainComparisonRow> Rows, IReadOnlyList<TrainResult> Runs);

public static class TrainComparison
{
    /// <param name="train">Runs one (method, seed) of the table: in this process by default, or on a cluster.</param>
    public static TrainComparisonResult Run(DataSplit data, TrainOptions options, IReadOnlyList<string> methods, int seeds, Action<string>? progress = null, Func<TrainOptions, TrainResult>? train = null)
    {
        train ??= o => Trainer.Run(data, o);
        if (seeds <= 0)
        {
            throw new DiffQuantException($"--seeds must be positive, got {seeds}.");
        }

        if (methods.Count == 0)
        {
            throw new DiffQuantException("a comparison needs at least one method.");
        }

        foreach (var method in methods)
        {
            (options with { Method = method }).Validate();
        }

        var runs = new List<TrainResult>();
        var rows = new List<TrainComparisonRow>();
        foreach (var method in methods)
        {
            var mine = new List<TrainResult>();
            for (var s = 0; s < seeds; s++)
            {
                progress?.Invoke($"{method}, seed {options.Seed + s}");
                mine.Add(train(options with { Method = method, Seed = options.Seed + s }));
            }

            runs.AddRange(mine);
            var accuracies = mine.Select(r => r.TestAccuracy).ToList();
            rows.Add(new TrainComparisonRow(
                mine[0].Method,
                seeds,
                Statistics.Mean(accuracies),
                Statistics.StandardDeviation(accuracies),
                mine.Average(r => r.TrainLoss),
                mine.Average(r => (double)r.UplinkBitsTotal),
                mine.Average(r => (double)r.DownlinkBitsTotal),
                mine.Average(r => r.CompressionRatio),
                mine.Average(r => r.BitsPerCoordinate),
                mine.Average(r => r.WallSeconds)));
        }

        return new TrainComparisonResult(options.Model, data.Train.Name, options, rows, runs);
    }

    /// <summary>
    /// The Markdown table: method, accuracy mean ± std and its gap to the first row, final training loss, uplink bits with
    /// their compression ratio and bits per coordinate, downlink bits, total bits and how many times fewer than the first
    /// row's, seconds per run.
    /// </summary>
    public static string Markdown(TrainComparisonResult result)
    {
        var first = result.Rows[0];
        var lines = new List<string>
        {
            $"| method | test accuracy (mean ± std) | vs {first.Method} (points) | train loss | uplink bits | uplink compression | bits per coordinate | downlink bits | total bits | total vs {first.Method} | seconds per run |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        lines.AddRange(result.Rows.Select(r => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"| {r.Method} | {100 * r.TestAccuracyMean:F2}% ± {100 * r.TestAccuracyStd:F2} | {100 * (r.TestAccuracyMean - first.TestAccuracyMean):+0.00;-0.00;0.00} | {r.TrainLossMean:F4} | {r.UplinkBitsMean:E3} | {r.CompressionRatioMean:F1}× | {r.BitsPerCoordinateMean:F3} | {r.DownlinkBitsMean:E3} | {r.UplinkBitsMean + r.DownlinkBitsMean:E3} | {(first.UplinkBitsMean + first.DownlinkBitsMean) / (r.UplinkBitsMean + r.DownlinkBitsMean):F2}× | {r.WallSecondsMean:F1} |")));
        return string.Join('\n', lines) + "\n";
    }
}
