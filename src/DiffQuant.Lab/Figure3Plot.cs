using DiffQuant.Theory;
using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>
/// Draws a Fig. 3 result like the paper (lines told apart by colour and width, not dashes, which the SVG
/// backend cannot draw): empirical rate means with ± one standard deviation per method
/// against R, and as curves (clipped at 1) σ_GD, the DQ-GD bound max{σ, ρ2^−R}, the NQ-GD bound
/// σ + ρ2^−R as the paper states it and σ + ηLρ2^−R as our schedule guarantees it, and the converse
/// max{σ, 2^−R}. Each quantized method is a curve per range policy ("nq-gd (paper)", "nq-gd (worst-case)"),
/// so the legend says which schedule a curve used. Plain methods do not depend on R and are drawn as a level band.
/// </summary>
public static class Figure3Plot
{
    public static Plot Create(Figure3Result result)
    {
        var plot = new Plot();
        var quantized = result.Rows.Where(r => r.Range != "none").ToList();
        var rates = quantized.Select(r => r.RateBits).Distinct().Order().ToArray();
        var low = rates.Length > 0 ? rates[0] : 1;
        var high = rates.Length > 0 ? rates[^1] : 12;
        var sigma = result.SigmaGd;
        var kappa = (1 + sigma) / (1 - sigma);
        var etaL = 2 * kappa / (kappa + 1);
        Curve(plot, low, high, _ => sigma, "σ_GD", Colors.Gray, 4);
        if (result.Rho is { } rho)
        {
            // The paper's bounds need the quantizer's covering efficiency ρ (a clipping code has none).
            Curve(plot, low, high, r => Bounds.DqGd(sigma, rho, r), "DQ-GD bound max{σ, ρ2^−R}", Colors.RoyalBlue.WithAlpha(0.6), 2);
            Curve(plot, low, high, r => Bounds.NqGdPaper(sigma, rho, r), "NQ-GD bound σ + ρ2^−R (paper)", Colors.OrangeRed.WithAlpha(0.6), 2);
            Curve(plot, low, high, r => Bounds.NqGdSchedule(sigma, etaL, rho, r), "NQ-GD schedule σ + ηLρ2^−R", Colors.Orange, 1);
        }

        Curve(plot, low, high, r => Bounds.Converse(sigma, r), "converse max{σ, 2^−R}", Colors.Black, 1);

        var color = 0;
        foreach (var group in result.Rows.GroupBy(r => r.Label))
        {
            var tint = PlotStyle.Colour(color++);
            var rows = group.OrderBy(r => r.RateBits).ToList();
            if (rows[0].Range == "none")
            {
                var level = rows[0];
                var band = plot.Add.HorizontalSpan(level.EmpiricalRateMean - level.EmpiricalRateStd, level.EmpiricalRateMean + level.EmpiricalRateStd);
                band.FillStyle.Color = tint.WithAlpha(0.15);
                band.LineStyle.Width = 0;
                var line = plot.Add.HorizontalLine(level.EmpiricalRateMean, 1, tint);
                line.LegendText = $"{Display(group.Key)} (float64, any R)";
                continue;
            }

            var xs = rows.Select(r => r.RateBits).ToArray();
            var ys = rows.Select(r => r.EmpiricalRateMean).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, rows.Select(r => r.EmpiricalRateStd).ToArray());
            bars.Color = tint;
            var markers = plot.Add.ScatterPoints(xs, ys, tint);
            markers.MarkerSize = 8;
            markers.MarkerShape = rows[0].Range == "paper" ? MarkerShape.OpenSquare : group.Key.StartsWith("dq", StringComparison.Ordinal) ? MarkerShape.FilledCircle : MarkerShape.FilledSquare;
            markers.LegendText = $"{Display(group.Key)} (empirical)";
        }

        plot.Title($"Fig. 3 — {result.Problem}, n = {result.N}, {(result.Workers > 1 ? $"K = {result.Workers}, " : string.Empty)}{result.Instances} instances, σ_GD = {sigma:F4}");
        plot.XLabel("R (bits per coordinate per iteration)");
        plot.YLabel("contraction factor per iteration");
        var lowest = result.Rows.Min(r => r.EmpiricalRateMean - r.EmpiricalRateStd);
        plot.Axes.SetLimits(low - 0.3, high + 0.3, Math.Max(0, Math.Min(sigma, lowest) - 0.08), 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Writes figure3.png and figure3.svg (or <paramref name="stem"/>.png/.svg) into <paramref name="directory"/>.</summary>
    public static void Save(Figure3Result result, string directory, string stem = "figure3")
    {
        PlotStyle.Save(Create(result), directory, stem);
    }

    /// <summary>"nq-gd (paper)" → "NQ-GD (paper schedule)".</summary>
    private static string Display(string label)
    {
        var cut = label.IndexOf(" (", StringComparison.Ordinal);
        return cut < 0 ? label.ToUpperInvariant() : label[..cut].ToUpperInvariant() + label[cut..].Replace(")", " schedule)", StringComparison.Ordinal);
    }

    private static void Curve(Plot plot, double low, double high, Func<double, double> bound, string label, Color color, float width)
    {
        const int points = 400;
        var xs = new double[points];
        var ys = new double[points];
        for (var k = 0; k < points; k++)
        {
            xs[k] = low + ((high - low) * k / (points - 1));
            ys[k] = Math.Min(1, bound(xs[k]));
        }

        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = width;
        line.LegendText = label;
    }
}
