namespace DiffQuant.Quantization;

/// <summary>Splits a budget of floor(n·R) bits over n coordinates for a fractional rate R.</summary>
public static class BitAllocation
{
    /// <summary>The most bits a scalar coordinate may take (double precision carries no more).</summary>
    public const int MaxBitsPerCoordinate = 52;

    /// <summary>
    /// floor(n·R), computed after rounding n·R to 9 decimals so that, e.g., 100 × 2.3 counts as 230
    /// bits rather than the 229.99… that binary floating point gives.
    /// </summary>
    public static long Budget(int n, double rate) => (long)Math.Floor(Math.Round(n * rate, 9));

    /// <summary>
    /// b_i = floor((i+1)·B/n) − floor(i·B/n) with B = floor(n·R): every coordinate gets floor(R) or
    /// ceil(R) bits, the extra bits spread evenly, the sum exactly B. A coordinate with 0 bits decodes to 0.
    /// </summary>
    public static byte[] Spread(int n, double rate)
    {
        ValidateRate(rate);
        var total = Budget(n, rate);
        var bits = new byte[n];
        if (n == 0)
        {
            return bits;
        }

        // floor((i+1)B/n) − floor(iB/n) = q + [((i·r) mod n) + r ≥ n] with B = q·n + r, tracked without division.
        var (quotient, remainder) = Math.DivRem(total, n);
        long carry = 0;
        for (var i = 0; i < n; i++)
        {
            carry += remainder;
            var extra = carry >= n ? 1 : 0;
            carry -= extra * n;
            bits[i] = (byte)(quotient + extra);
        }

        return bits;
    }

    /// <summary>
    /// The bits of coordinates [<paramref name="from"/>, <paramref name="to"/>) when <paramref name="total"/> bits are
    /// spread over <paramref name="n"/> by the rule of <see cref="Spread"/>: floor(total·to/n) − floor(total·from/n)
    /// (exact; the shares of consecutive ranges sum to the total), so each range gets its length's part of the budget.
    /// </summary>
    public static long Share(long total, long from, long to, long n) =>
        n == 0 ? 0 : (long)((Int128)total * to / n) - (long)((Int128)total * from / n);

    /// <summary>Refuses a rate outside (0, <see cref="MaxBitsPerCoordinate"/>] bits per coordinate.</summary>
    public static void ValidateRate(double rate)
    {
        const double max = MaxBitsPerCoordinate;
        if (!(rate > 0) || !double.IsFinite(rate))
        {
            Guard.Throw($"the rate must be a positive number of bits per coordinate, got {rate}.");
        }

        if (rate > max)
        {
            Guard.Throw($"the rate {rate} exceeds the {max} bits per coordinate this quantizer can use.");
        }
    }
}
