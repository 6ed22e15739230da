using DiffQuant.Learning.Training;
using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>Test accuracy against epochs and against uplink bits (log scale) of training runs, and a comparison's frontier.</summary>
public static class TrainPlot
{
    /// <summary>Accuracy against log10 of the uplink bits so far, one curve per run.</summary>
    public static Plot AccuracyAgainstBits(IReadOnlyList<TrainResult> runs, string title) => Curves(runs, title, Axis.Uplink, Axis.Accuracy);

    /// <summary>Accuracy against epochs, one curve per run.</summary>
    public static Plot AccuracyAgainstEpochs(IReadOnlyList<TrainResult> runs, string title) => Curves(runs, title, Axis.Epoch, Axis.Accuracy);

    /// <summary>One curve per run of <paramref name="y"/> against <paramref name="x"/>.</summary>
    public static Plot Curves(IReadOnlyList<TrainResult> runs, string title, Axis x, Axis y)
    {
        var plot = new Plot();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var line = plot.Add.Scatter(run.Curve.Select(x.Value).ToArray(), run.Curve.Select(y.Value).ToArray(), PlotStyle.Colour(i));
            line.LegendText = run.Method;
        }

        plot.Title(title);
        plot.XLabel(x.Label);
        plot.YLabel(y.Label);
        plot.ShowLegend(y == Axis.Accuracy ? Alignment.LowerRight : Alignment.UpperRight);
        return plot;
    }

    /// <summary>The frontier of a comparison: one point per method at (log10 uplink bits, mean test accuracy).</summary>
    public static Plot Frontier(TrainComparisonResult result)
    {
        var plot = new Plot();
        for (var i = 0; i < result.Rows.Count; i++)
        {
            var row = result.Rows[i];
            var marker = plot.Add.Marker(Math.Log10(row.UplinkBitsMean), 100 * row.TestAccuracyMean, MarkerShape.FilledCircle, 10, PlotStyle.Colour(i));
            marker.LegendText = $"{row.Method} ({row.CompressionRatioMean:F0}×)";
        }

        plot.Title($"Test accuracy against uplink bits — {result.Model} on {result.Data}, {result.Options.Workers} workers, {result.Options.Epochs} epochs");
        plot.XLabel("log10 of the run's uplink bits");
        plot.YLabel("test accuracy (%), mean over seeds");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>A quantity of a curve point and its axis label.</summary>
    public sealed record Axis(string Label, Func<TrainPoint, double> Value)
    {
        public static Axis Epoch { get; } = new("epoch", p => p.Epoch);

        public static Axis Uplink { get; } = new("log10 of the uplink bits so far", p => Math.Log10(Math.Max(1, p.UplinkBits)));

        public static Axis Downlink { get; } = new("log10 of the downlink bits so far", p => Math.Log10(Math.Max(1, p.DownlinkBits)));

        public static Axis Accuracy { get; } = new("test accuracy (%)", p => 100 * p.TestAccuracy);

        public static Axis Loss { get; } = new("test loss (cross-entropy)", p => p.TestLoss);
    }
}
