using System.Globalization;
using System.Text;

namespace DiffQuant.Lab;

/// <summary>The Markdown report of `dq demo`: figures, the paper's claims against measurements, bits to accuracy.</summary>
public static class DemoReport
{
    /// <summary>A Fig. 3 result with the file name of its picture, next to the report.</summary>
    public sealed record FigureSection(Figure3Result Result, string Image);

    /// <summary>A bits-to-accuracy result with the file name of its picture, next to the report.</summary>
    public sealed record BitsSection(BitsResult Result, string Image);

    public static string Markdown(IReadOnlyList<FigureSection> figures, IReadOnlyList<BitsSection> bits, string command)
    {
        var text = new StringBuilder();
        text.Append("# DiffQuant demo report\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Made by `{command}`. Every number below comes from that run.\n\n");
        foreach (var (result, image) in figures)
        {
            text.Append(CultureInfo.InvariantCulture, $"## Fig. 3 — {result.Problem} (n = {result.N}, m = {result.M}, {result.Instances} instances)\n\n");
            text.Append(CultureInfo.InvariantCulture, $"![Fig. 3 on {result.Problem}]({image})\n\n");
            text.Append(Figure3Analysis.Of(result).ClaimsMarkdown).Append('\n');
            text.Append(Figure3Table(result)).Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"{result.RunCount} runs, {result.IterationsTotal} iterations in {result.ElapsedSeconds:F2} s on {result.Threads} threads.\n\n");
        }

        foreach (var (result, image) in bits)
        {
            text.Append(CultureInfo.InvariantCulture, $"## Bits to relative error {result.Eps:G2} — {result.Problem} ({result.Instances} instances)\n\n");
            text.Append(CultureInfo.InvariantCulture, $"![bits to accuracy on {result.Problem}]({image})\n\n");
            text.Append(BitsTable(result)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The rows of a Fig. 3 result as a Markdown table.</summary>
    public static string Figure3Table(Figure3Result result)
    {
        var text = new StringBuilder("| method | range | R | rate mean ± std | tail rate | bound | paper bound | converse | iterations | overloads |\n|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in result.Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Method} | {r.Range} | {r.RateBits:G} | {r.EmpiricalRateMean:F4} ± {r.EmpiricalRateStd:F4} | {r.TailRateMean:F4} | {Clipped(r.Bound)} | {Clipped(r.PaperBound)} | {r.Converse:F4} | {r.IterationsMean:F1} | {r.Overloads} |\n");
        }

        return text.ToString();
    }

    /// <summary>A bound clipped at 1 with four decimals, or "—" where none is derived.</summary>
    public static string Clipped(double? bound) => bound is { } b ? Math.Min(1, b).ToString("F4", CultureInfo.InvariantCulture) : "—";

    /// <summary>Each method's cheapest way to ε as a Markdown table, with the volume floor.</summary>
    public static string BitsTable(BitsResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Volume floor log2(1/ε) = {result.FloorBits:F2} bits per coordinate. {result.RunCount} runs; quantizer overloads over all of them: {result.OverloadsTotal}.\n\n");
        text.Append("| method | quantizer | range | R | iterations | bits / coordinate | × floor |\n|---|---|---|---|---|---|---|\n");
        foreach (var (method, r) in result.Best.OrderBy(b => b.Value.BitsPerCoordinateMean))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {method} | {r.Quantizer} | {r.Range} | {r.RateText} | {r.IterationsMean:F1} | {r.BitsPerCoordinateMean:F1} | {r.BitsPerCoordinateMean / result.FloorBits:F2} |\n");
        }

        var variants = result.Rows.Where(r => r.Range != "none" && r.BitsPerCoordinateMean is not null).GroupBy(r => (r.Quantizer, r.Range)).Select(g => g.MinBy(r => r.BitsPerCoordinateMean)!).OrderBy(r => r.BitsPerCoordinateMean).ToList();
        if (variants.Count > 1)
        {
            text.Append("\nThe cheapest quantized method for each quantizer and range policy (the paper's is cube with worst-case ranges):\n\n");
            text.Append("| quantizer | range | method | R | iterations | bits / coordinate | × floor |\n|---|---|---|---|---|---|---|\n");
            foreach (var r in variants)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {r.Quantizer} | {r.Range} | {r.Method} | {r.RateText} | {r.IterationsMean:F1} | {r.BitsPerCoordinateMean:F1} | {r.BitsPerCoordinateMean / result.FloorBits:F2} |\n");
            }
        }

        return text.ToString();
    }
}
