namespace DiffQuant.Ranges;

/// <summary>How both ends of a link choose the dynamic range r of each quantized message.</summary>
public enum RangePolicyKind
{
    /// <summary>
    /// A range that provably covers the input: with one worker the paper's recursions (Theorem III.1 and its
    /// NQ and momentum forms; <see cref="RangeSchedule"/>), with K workers a bound both ends update from the
    /// decoded iterates (<see cref="ShiftedWorstCaseRange"/>).
    /// </summary>
    WorstCase,

    /// <summary>
    /// What the paper's Fig. 3 ran: for NQ-GD r_t = L·D·(σ + ρ2^−R)^t, which drops the factor ηL of the
    /// guaranteed schedule (overloads are possible and counted); for every other method the worst case.
    /// </summary>
    Paper,

    /// <summary>
    /// Backward-adaptive: r_{t+1} = 2(‖q_t‖∞ + ε∞ r_t) from the decoded message only (ε∞ the quantizer's
    /// coordinate error at range 1); zero bits per message, needs no L, μ or D, only r_0 in the setup.
    /// </summary>
    Adaptive,
}

/// <summary>Names of <see cref="RangePolicyKind"/> as options spell them.</summary>
public static class RangePolicyNames
{
    public static string Name(RangePolicyKind kind) => kind switch
    {
        RangePolicyKind.Paper => "paper",
        RangePolicyKind.Adaptive => "adaptive",
        _ => "worst-case",
    };

    public static RangePolicyKind Parse(string text)
    {
        foreach (var kind in Enum.GetValues<RangePolicyKind>())
        {
            if (string.Equals(Name(kind), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new DiffQuantException($"unknown range policy '{text}'; choose one of {string.Join(", ", Enum.GetValues<RangePolicyKind>().Select(Name))}.");
    }
}
