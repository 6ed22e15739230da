namespace DiffQuant.Methods;

/// <summary>
/// A link's rate that rises over its first messages: message m is coded at
/// R_m = max(R/2, R − ⌊16·C·log2((m + 2)/(m + 1))⌋/16) bits per coordinate, C = <see cref="Bits"/> (bits per
/// coordinate; 0 keeps every message at R). Both ends compute R_m from R, C and m, which they share before the first
/// message, so the schedule costs no bits; each message is coded at its own budget floor(n·R_m) ≤ floor(n·R), and the
/// channel counts what it carries.
/// <para>
/// Why: under differential quantization the server's iterate is the unquantized trajectory less η·e_(m−1), so the
/// rates from message m on must cover the decay the unquantized method still has ahead of it from m, not m times its
/// asymptotic rate. Heavy ball at its classical tuning has a double root σ: its error decays as (c + c′m)σ^m, so its
/// early steps contract by only σ·(1 + α(m + 1))/(1 + αm), α = c′/c; at α = 1 that is σ·(m + 2)/(m + 1), and message m
/// may carry log2((m + 2)/(m + 1)) bits a coordinate fewer — a bit for the first, 0.58 for the second, and (C = 1)
/// nothing on the 1/16 grid from m = 22 on. C scales that cut; `dq bits --ramps` measures which C pays for which
/// method (GD has no such transient). On the grid a link changes its code at most 16·C times; the floor R/2 keeps every
/// message a code of at least half the budget.
/// </para>
/// </summary>
public readonly record struct RateRamp(double Bits)
{
    /// <summary>No ramp: every message at R.</summary>
    public const double DefaultBits = 0;

    /// <summary>The largest ramp accepted, in bits per coordinate (past it the floor R/2 holds the first messages anyway).</summary>
    public const double MaxBits = 16;

    /// <summary>
    /// The least share of R a message is coded at, so every code keeps at least half the budget: a lower floor let the
    /// trellis code's first messages fall below the rates it can code, and runs stopped short of ε.
    /// </summary>
    public const double FloorShare = 0.5;

    /// <summary>Steps of the rate grid per bit.</summary>
    private const int GridSteps = 16;

    /// <summary>Whether every message is coded at R.</summary>
    public bool IsConstant => Bits == 0;

    /// <summary>R_m for a link of rate <paramref name="rate"/>; exactly <paramref name="rate"/> without a ramp and from m = 22 on.</summary>
    public double RateOf(double rate, long message)
    {
        if (IsConstant)
        {
            return rate;
        }

        var cut = Math.Floor(GridSteps * Bits * Math.Log2((message + 2.0) / (message + 1.0))) / GridSteps;
        return cut == 0 ? rate : Math.Max(rate * FloorShare, rate - cut);
    }

    /// <summary>The lowest rate a link of rate <paramref name="rate"/> codes at: its first message's.</summary>
    public double LowestRate(double rate) => RateOf(rate, 0);

    /// <summary>Why a ramp of <paramref name="bits"/> is refused (it must lie in [0, <see cref="MaxBits"/>]), or null.</summary>
    public static string? Refusal(double bits) => bits >= 0 && bits <= MaxBits ? null : $"must lie in [0, {MaxBits:G}] bits per coordinate, got {bits}.";

    /// <summary>Checks C; a clear error names the option.</summary>
    public void Validate()
    {
        if (Refusal(Bits) is { } why)
        {
            Guard.Throw($"--ramp {why}");
        }
    }
}
