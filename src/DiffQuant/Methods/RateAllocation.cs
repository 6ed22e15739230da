namespace DiffQuant.Methods;

/// <summary>How K workers share the budget of K·n·R bits per round.</summary>
public enum RateAllocationKind
{
    /// <summary>R_k = R for every worker.</summary>
    Equal,

    /// <summary>
    /// The paper's allocation R_k = R + log2 L_k − (1/K) Σ_j log2 L_j, clipped at 0 with the total kept at K·R
    /// (water-filling), which equalizes L_k 2^−R_k: the error a worker's quantizer adds to the step.
    /// </summary>
    Lipschitz,
}

/// <summary>Splits a per-worker rate R over K workers.</summary>
public static class RateAllocation
{
    public static string Name(RateAllocationKind kind) => kind == RateAllocationKind.Lipschitz ? "lipschitz" : "equal";

    public static RateAllocationKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "equal" => RateAllocationKind.Equal,
        "lipschitz" => RateAllocationKind.Lipschitz,
        _ => throw new DiffQuantException($"unknown rate allocation '{text}'; choose equal or lipschitz."),
    };

    /// <summary>
    /// R_k for each worker. Lipschitz: R_k = max(0, c + log2 L_k) with c chosen so that Σ R_k = K·R, found by
    /// bisection (Σ max(0, c + log2 L_k) is continuous and increasing in c) from below, and rounded down to
    /// 1e-9, so Σ R_k ≤ K·R and both ends agree on floor(n·R_k). A worker left with no bits is refused.
    /// </summary>
    public static double[] Allocate(RateAllocationKind kind, double rate, IReadOnlyList<double> lipschitz)
    {
        var k = lipschitz.Count;
        if (kind == RateAllocationKind.Equal || k == 1)
        {
            return [.. Enumerable.Repeat(rate, k)];
        }

        var logs = lipschitz.Select(Math.Log2).ToArray();
        double Total(double c) => logs.Sum(l => Math.Max(0, c + l));
        var low = rate - logs.Max();
        var high = rate - logs.Min() + rate;
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            if (Total(mid) < k * rate)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        var rates = logs.Select(l => Math.Floor(Math.Max(0, low + l) * 1e9) / 1e9).ToArray();
        for (var j = 0; j < k; j++)
        {
            if (!(rates[j] > 0))
            {
                Guard.Throw($"the lipschitz allocation leaves worker {j} (L = {lipschitz[j]:G4}) with no bits at R = {rate}; raise --rate or use --allocation equal.");
            }
        }

        return rates;
    }
}
