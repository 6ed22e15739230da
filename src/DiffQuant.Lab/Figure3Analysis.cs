using System.Globalization;
using DiffQuant.Methods;
using DiffQuant.Theory;

namespace DiffQuant.Lab;

/// <summary>
/// Reads a Fig. 3 result the way the paper argues: for each quantized method, the smallest rate R at
/// which its mean empirical rate comes within <see cref="Tolerance"/> of its unquantized σ, next to the
/// rate its bound predicts (log2(ρ/σ) for DQ-GD; the momentum threshold for DQ-AGD/DQ-HB).
/// </summary>
public sealed record Figure3Analysis(IReadOnlyList<Figure3Analysis.Reach> Reaches)
{
    /// <summary>"Reaches σ" means a mean empirical rate at most σ·(1 + 3%).</summary>
    public const double Tolerance = 0.03;

    /// <summary>When a method first contracts at σ: <see cref="Rate"/> is null if no swept R did.</summary>
    public sealed record Reach(string Method, double Sigma, double? Rate, double? Predicted);

    public string Summary => string.Join(
        "\n",
        Reaches.Select(r => string.Create(
            CultureInfo.InvariantCulture,
            $"{r.Method} reaches σ = {r.Sigma:F4} (within {Tolerance:P0}) at R = {(r.Rate is { } rate ? rate.ToString("G", CultureInfo.InvariantCulture) : "none of the swept rates")}{(r.Predicted is { } p ? $"; its bound predicts R ≥ {p:F2}" : string.Empty)}")));

    public static Figure3Analysis Of(Figure3Result result)
    {
        var reaches = new List<Reach>();
        foreach (var group in result.Rows.Where(r => r.Method.Contains('-', StringComparison.Ordinal)).GroupBy(r => r.Method))
        {
            var method = MethodSpec.Parse(group.Key);
            var sigma = group.First().Sigma;
            var first = group.OrderBy(r => r.RateBits).FirstOrDefault(r => r.EmpiricalRateMean <= sigma * (1 + Tolerance));
            double? predicted = null;
            if (method.Compression == Compression.Differential)
            {
                predicted = method.Momentum == Momentum.None
                    ? Bounds.LossFreeThreshold(sigma, result.Rho)
                    : Bounds.MomentumThreshold(sigma, GammaOf(method.Momentum, sigma), result.Rho);
            }

            reaches.Add(new Reach(group.Key, sigma, first?.RateBits, predicted));
        }

        return new Figure3Analysis(reaches);
    }

    /// <summary>γ of the classical tuning, recovered from σ: HB γ = σ², AGD γ = (√κ−1)/(√κ+1) with √κ = 1/(1−σ).</summary>
    private static double GammaOf(Momentum momentum, double sigma)
    {
        if (momentum == Momentum.HeavyBall)
        {
            return sigma * sigma;
        }

        var root = 1 / (1 - sigma);
        return (root - 1) / (root + 1);
    }
}
