using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>
/// Bits per coordinate to reach ε against R, one curve per quantizer and range policy: at each R the cheapest quantized
/// method (and ramp, where several were swept) that got every instance there (the tables name them), with the volume
/// floor log2(1/ε).
/// </summary>
public static class BitsPlot
{
    private static readonly MarkerShape[] Markers = [MarkerShape.FilledCircle, MarkerShape.OpenCircle, MarkerShape.FilledSquare, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenDiamond];

    /// <summary>The curve of each (quantizer, range): (R, the cheapest method's mean bits per coordinate) in order of R.</summary>
    public static IReadOnlyList<((string Quantizer, string Range) Variant, IReadOnlyList<(double Rate, double Bits)> Points)> Curves(BitsResult result) =>
        [.. result.Rows
            .Where(r => r.Range != "none" && r.BitsPerCoordinateMean is not null)
            .GroupBy(r => (r.Quantizer, r.Range))
            .Select(g => ((g.Key.Quantizer, g.Key.Range), (IReadOnlyList<(double, double)>)[.. g.GroupBy(r => r.RateBits).OrderBy(r => r.Key).Select(r => (r.Key, r.Min(x => x.BitsPerCoordinateMean!.Value)))]))];

    public static Plot Create(BitsResult result)
    {
        var plot = new Plot();
        var curves = Curves(result);
        var lowest = double.MaxValue;
        for (var v = 0; v < curves.Count; v++)
        {
            var ((quantizer, range), points) = curves[v];
            var line = plot.Add.Scatter(points.Select(p => p.Rate).ToArray(), points.Select(p => p.Bits).ToArray(), PlotStyle.Colour(v + 1));
            line.MarkerShape = Markers[v % Markers.Length];
            line.LegendText = $"{quantizer}, {range} ranges";
            lowest = Math.Min(lowest, points.Min(p => p.Bits));
        }

        var floor = plot.Add.HorizontalLine(result.FloorBits, 2, Colors.Black);
        floor.LegendText = $"volume floor log2(1/ε) = {result.FloorBits:F1}";
        plot.Title($"Bits to relative error {result.Eps:G2} — {result.Problem}, {result.Instances} instances");
        plot.XLabel("R (bits per coordinate per iteration)");
        plot.YLabel("uplink bits per coordinate to reach ε (cheapest method)");
        plot.Axes.SetLimitsY(0, Math.Max(2 * result.FloorBits, 5 * Math.Min(lowest, 4 * result.FloorBits)));
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    public static void Save(BitsResult result, string directory, string stem = "bits")
    {
        PlotStyle.Save(Create(result), directory, stem);
    }
}
