namespace DiffQuant.Running;

/// <summary>
/// The outcome of one run: the final iterate, how and when it stopped, and the bits the channel
/// measured. Errors and rates are NaN when no referee knew x*.
/// </summary>
public sealed record RunResult
{
    public required ExitReason ExitReason { get; init; }

    /// <summary>T, the iterations run.</summary>
    public required int Iterations { get; init; }

    /// <summary>x̂_T.</summary>
    public required double[] Iterate { get; init; }

    /// <summary>‖x̂_T − x*‖ / ‖x̂_0 − x*‖.</summary>
    public required double RelativeError { get; init; }

    /// <summary>(‖x̂_T − x*‖ / ‖x̂_0 − x*‖)^(1/T), clipped at 1 (over the iterations this run made, for a restored run).</summary>
    public required double EmpiricalRate { get; init; }

    /// <summary>
    /// (e_T / e_⌊T/2⌋)^(1/(T − ⌊T/2⌋)), clipped at 1: the rate of the second half of the run, free of the
    /// faster start-up that makes (e_T)^(1/T) undershoot an asymptotic rate; NaN for T &lt; 2 or no referee.
    /// </summary>
    public double TailRate
    {
        get
        {
            var half = Iterations / 2;
            return Iterations < 2 ? double.NaN : Math.Min(1, Math.Pow(ErrorHistory[Iterations] / ErrorHistory[half], 1.0 / (Iterations - half)));
        }
    }

    /// <summary>The evaluator's measures of x̂_T (loss, gap, accuracy); null when the run had no evaluator.</summary>
    public Evaluation? Evaluation { get; init; }

    /// <summary>The relative error after each iteration t = 0..T (entry 0 is 1).</summary>
    public required double[] ErrorHistory { get; init; }

    /// <summary>Uplink information bits measured by the links, setup included, all workers.</summary>
    public required long UplinkBits { get; init; }

    /// <summary>Uplink bits of the one-time setup message.</summary>
    public required long SetupBits { get; init; }

    /// <summary>The longest uplink iteration message, in bits.</summary>
    public required long MaxMessageBits { get; init; }

    /// <summary>Downlink information bits measured by the links, all workers.</summary>
    public required long DownlinkBits { get; init; }

    /// <summary>Envelope bits the receivers could check (kinds, in-order versions), both directions: not information.</summary>
    public required long FramingBits { get; init; }

    /// <summary>What each link carried.</summary>
    public required IReadOnlyList<LinkReport> Links { get; init; }

    /// <summary>Quantizer inputs outside the range (saturated coordinates).</summary>
    public required long Overloads { get; init; }

    /// <summary>Where the wall time went (measured; the only part of a result that differs between identical runs).</summary>
    public RunTiming Timing { get; init; }
}

/// <summary>One link's meters: <paramref name="UplinkBudgetBits"/> is floor(n·R_k).</summary>
public sealed record LinkReport(int Worker, long UplinkBudgetBits, Transport.LinkMeterState Uplink, Transport.LinkMeterState Downlink);
