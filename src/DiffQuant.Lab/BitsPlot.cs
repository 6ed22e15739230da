using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>
/// Bits per coordinate to reach ε against R for each quantized method, quantizer and range policy (where every
/// instance got there; a colour per method, a marker per quantizer and range) and the volume floor log2(1/ε).
/// </summary>
public static class BitsPlot
{
    private static readonly MarkerShape[] Markers = [MarkerShape.FilledCircle, MarkerShape.OpenCircle, MarkerShape.FilledSquare, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenDiamond];

    public static Plot Create(BitsResult result)
    {
        var plot = new Plot();
        var hues = new Dictionary<string, Color>();
        var quantized = result.Rows.Where(r => r.Range != "none").ToList();
        var variants = quantized.Select(r => (r.Quantizer, r.Range)).Distinct().ToList();
        foreach (var group in quantized.GroupBy(r => (r.Method, r.Quantizer, r.Range)))
        {
            var rows = group.Where(r => r.BitsPerCoordinateMean is not null).OrderBy(r => r.RateBits).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            if (!hues.TryGetValue(group.Key.Method, out var tint))
            {
                tint = hues[group.Key.Method] = PlotStyle.Colour(hues.Count + 1);
            }

            var variant = variants.IndexOf((group.Key.Quantizer, group.Key.Range));
            var line = plot.Add.Scatter(rows.Select(r => r.RateBits).ToArray(), rows.Select(r => r.BitsPerCoordinateMean!.Value).ToArray(), variant == 0 ? tint : tint.WithAlpha(0.6));
            line.MarkerShape = Markers[variant % Markers.Length];
            line.LegendText = $"{group.Key.Method.ToUpperInvariant()} {group.Key.Quantizer} {group.Key.Range}";
        }

        var floor = plot.Add.HorizontalLine(result.FloorBits, 2, Colors.Black);
        floor.LegendText = $"volume floor log2(1/ε) = {result.FloorBits:F1}";
        var quantizedMax = quantized.Where(r => r.BitsPerCoordinateMean is not null).Select(r => r.BitsPerCoordinateMean!.Value).DefaultIfEmpty(result.FloorBits).Max();
        plot.Title($"Bits to relative error {result.Eps:G2} — {result.Problem}, n = {result.N}, {result.Instances} instances");
        plot.XLabel("R (bits per coordinate per iteration)");
        plot.YLabel("uplink bits per coordinate to reach ε");
        plot.Axes.SetLimitsY(0, Math.Min(quantizedMax, 4 * result.Best.Values.Select(r => r.BitsPerCoordinateMean!.Value).DefaultIfEmpty(100).Min()) * 1.05);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    public static void Save(BitsResult result, string directory, string stem = "bits")
    {
        PlotStyle.Save(Create(result), directory, stem);
    }
}
