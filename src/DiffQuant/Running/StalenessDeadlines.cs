namespace DiffQuant.Running;

/// <summary>
/// The staleness bound τ of asynchronous arrivals as deadlines: a worker whose last message arrived as arrival i (−1
/// before its first) must arrive again by arrival i + 1 + τ. Taking worker p as arrival j is feasible when the others
/// can still all arrive in time, one per arrival, nearest deadline first (earliest-deadline-first; always possible
/// when τ ≥ K − 1 and every earlier choice was feasible).
/// </summary>
internal static class StalenessDeadlines
{
    /// <summary>Whether taking <paramref name="pick"/> as arrival <paramref name="j"/> leaves every other worker able to meet its deadline.</summary>
    /// <param name="scratch">Room for K − 1 deadlines.</param>
    public static bool Feasible(ReadOnlySpan<long> lastArrival, int pick, long j, int maxStaleness, Span<long> scratch)
    {
        var count = 0;
        for (var k = 0; k < lastArrival.Length; k++)
        {
            if (k != pick)
            {
                scratch[count++] = lastArrival[k] + 1 + maxStaleness;
            }
        }

        var deadlines = scratch[..count];
        deadlines.Sort();
        for (var r = 0; r < deadlines.Length; r++)
        {
            if (deadlines[r] < j + 1 + r)
            {
                return false;
            }
        }

        return true;
    }
}
