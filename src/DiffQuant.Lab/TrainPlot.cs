using DiffQuant.Learning.Training;
using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>Test accuracy against epochs and against uplink bits (log scale) of training runs, and a comparison's frontier.</summary>
public static class TrainPlot
{
    /// <summary>Accuracy against log10 of the uplink bits so far, one curve per run.</summary>
    public static Plot AccuracyAgainstBits(IReadOnlyList<TrainResult> runs, string title) =>
        AccuracyCurves(runs, title, p => Math.Log10(Math.Max(1, p.UplinkBits)), "log10 of the uplink bits so far");

    /// <summary>Accuracy against epochs, one curve per run.</summary>
    public static Plot AccuracyAgainstEpochs(IReadOnlyList<TrainResult> runs, string title) =>
        AccuracyCurves(runs, title, p => p.Epoch, "epoch");

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

    private static Plot AccuracyCurves(IReadOnlyList<TrainResult> runs, string title, Func<TrainPoint, double> x, string xLabel)
    {
        var plot = new Plot();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var line = plot.Add.Scatter(run.Curve.Select(x).ToArray(), run.Curve.Select(p => 100 * p.TestAccuracy).ToArray(), PlotStyle.Colour(i));
            line.LegendText = run.Method;
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
