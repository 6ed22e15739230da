using DiffQuant.Methods;
using DiffQuant.Ranges;

namespace DiffQuant.Theory;

/// <summary>
/// The paper's rates and thresholds. σ are contraction factors per iteration; ρ is the covering
/// efficiency; R is in bits per coordinate; ε = ρ 2^−R.
/// </summary>
public static class Bounds
{
    /// <summary>σ_GD = (κ−1)/(κ+1).</summary>
    public static double SigmaGd(double kappa) => (kappa - 1) / (kappa + 1);

    /// <summary>σ_AGD = 1 − 1/√κ.</summary>
    public static double SigmaAgd(double kappa) => 1 - (1 / Math.Sqrt(kappa));

    /// <summary>σ_HB = (√κ−1)/(√κ+1).</summary>
    public static double SigmaHb(double kappa) => (Math.Sqrt(kappa) - 1) / (Math.Sqrt(kappa) + 1);

    /// <summary>σ of the classical tuning of <paramref name="momentum"/>.</summary>
    public static double Sigma(Momentum momentum, double kappa) => momentum switch
    {
        Momentum.HeavyBall => SigmaHb(kappa),
        Momentum.Nesterov => SigmaAgd(kappa),
        _ => SigmaGd(kappa),
    };

    /// <summary>DQ-GD: max{σ, ρ 2^−R} (Theorem III.1).</summary>
    public static double DqGd(double sigma, double rho, double rate) => Math.Max(sigma, rho * Math.Pow(2, -rate));

    /// <summary>NQ-GD as the paper states it: σ + ρ 2^−R.</summary>
    public static double NqGdPaper(double sigma, double rho, double rate) => sigma + (rho * Math.Pow(2, -rate));

    /// <summary>
    /// NQ-GD as the worst-case range schedule guarantees it: s = σ + η L ρ 2^−R, with η L = 2κ/(κ+1)
    /// for η = 2/(L+μ) (the paper's form drops the factor η L ∈ [1, 2)).
    /// </summary>
    public static double NqGdSchedule(double sigma, double stepTimesL, double rho, double rate) =>
        sigma + (stepTimesL * rho * Math.Pow(2, -rate));

    /// <summary>The converse: no algorithm of the class contracts faster than max{σ, 2^−R}.</summary>
    public static double Converse(double sigma, double rate) => Math.Max(sigma, Math.Pow(2, -rate));

    /// <summary>DQ-GD loses nothing to quantization once R ≥ log2(ρ/σ).</summary>
    public static double LossFreeThreshold(double sigma, double rho) => Math.Log2(rho / sigma);

    /// <summary>
    /// The range recursion r_t = … + (1+γ)ε r_{t−1} + γ ε r_{t−2} of DQ-AGD/DQ-HB grows like the largest
    /// root z of z² = (1+γ)ε z + γ ε, ε = ρ 2^−R; the method contracts at max{σ, z}.
    /// </summary>
    public static double DqMomentum(double sigma, double gamma, double epsilon)
    {
        var b = (1 + gamma) * epsilon;
        var root = (b + Math.Sqrt((b * b) + (4 * gamma * epsilon))) / 2;
        return Math.Max(sigma, root);
    }

    /// <summary>
    /// DQ-AGD/DQ-HB lose nothing once z ≤ σ, i.e. R ≥ log2(ρ ((1+γ)σ + γ) / σ²).
    /// </summary>
    public static double MomentumThreshold(double sigma, double gamma, double rho) =>
        Math.Log2(rho * (((1 + gamma) * sigma) + gamma) / (sigma * sigma));

    /// <summary>
    /// The volume floor: shrinking the uncertainty about x* by a factor ε in each of n coordinates
    /// takes at least n log2(1/ε) bits, log2(1/ε) per coordinate.
    /// </summary>
    public static double VolumeFloor(double epsilon) => Math.Log2(1 / epsilon);

    /// <summary>
    /// The contraction factor the worst-case range schedule guarantees for a run: σ for plain methods,
    /// max{σ, ε} for DQ-GD, σ + η L ε for NQ-GD, max{σ, z} for DQ-AGD/DQ-HB (<see cref="DqMomentum"/>) and,
    /// for NQ-AGD/NQ-HB, the growth rate (r_2T / r_T)^(1/T) of their schedule at T = 200 (long enough that
    /// a polynomial transient adds under 0.4%, short enough that r_2T neither under- nor overflows), where
    /// ε is the quantizer's covering radius at range 1 (ρ 2^−R for the cube); NaN where no schedule is derived (EF).
    /// </summary>
    public static double Guaranteed(MethodSpec method, Tuning tuning, double epsilon, double l, double mu)
    {
        var (eta, gamma, sigma) = tuning;
        var compensation = method.Compensation;
        if (compensation == Compensation.None)
        {
            return sigma;
        }

        if (compensation == Compensation.Differential)
        {
            return method.Momentum == Momentum.None ? Math.Max(sigma, epsilon) : DqMomentum(sigma, gamma, epsilon);
        }

        if (compensation == Compensation.Naive)
        {
            return method.Momentum == Momentum.None ? sigma + (eta * l * epsilon) : ScheduleGrowth(method, tuning, epsilon, l, mu);
        }

        // No one-worker worst-case schedule is derived for error feedback at the server's point.
        return double.NaN;
    }

    private static double ScheduleGrowth(MethodSpec method, Tuning tuning, double epsilon, double l, double mu)
    {
        const int T = 200;

        // The window ends before r_t would underflow or overflow (a fast-shrinking or diverging schedule leaves
        // [1e-280, 1e280] within 2T steps), so the measured ratio is never 0/0, 0 or ∞.
        const double Smallest = 1e-280;
        const double Largest = 1e280;
        var schedule = new RangeSchedule(method.Compensation, new SpectralResponse(method.Momentum, tuning, l, mu), tuning, l, 1, epsilon);
        var end = 2 * T;
        for (var t = 1; t <= 2 * T; t++)
        {
            if (!(schedule.At(t) >= Smallest && schedule.At(t) <= Largest))
            {
                end = t - 1;
                break;
            }
        }

        var start = end / 2;
        var growth = end - start < 1 ? double.NaN : Math.Pow(schedule.At(end) / schedule.At(start), 1.0 / (end - start));
        return double.IsFinite(growth) ? Math.Max(tuning.Sigma, growth) : double.PositiveInfinity;
    }
}
