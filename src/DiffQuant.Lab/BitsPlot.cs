using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>
/// Bits per coordinate to reach ε against R for each quantized method and quantizer (where every instance
/// got there; dithered in a lighter tint with open markers) and the volume floor log2(1/ε).
/// </summary>
public static class BitsPlot
{
    public static Plot Create(BitsResult result)
    {
        var plot = new Plot();
        var hues = new Dictionary<string, Color>();
        foreach (var group in result.Rows.Where(r => r.Quantizer is "cube" or "dithered").GroupBy(r => (r.Method, r.Quantizer)))
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

            var dithered = group.Key.Quantizer == "dithered";
            var line = plot.Add.Scatter(rows.Select(r => r.RateBits).ToArray(), rows.Select(r => r.BitsPerCoordinateMean!.Value).ToArray(), dithered ? tint.WithAlpha(0.45) : tint);
            line.MarkerShape = dithered ? MarkerShape.OpenCircle : MarkerShape.FilledCircle;
            line.LegendText = $"{group.Key.Method.ToUpperInvariant()} {group.Key.Quantizer}";
        }

        var floor = plot.Add.HorizontalLine(result.FloorBits, 2, Colors.Black);
        floor.LegendText = $"volume floor log2(1/ε) = {result.FloorBits:F1}";
        var quantizedMax = result.Rows.Where(r => r.Quantizer is "cube" or "dithered" && r.BitsPerCoordinateMean is not null).Select(r => r.BitsPerCoordinateMean!.Value).DefaultIfEmpty(result.FloorBits).Max();
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
