using System.Globalization;
using DiffQuant.Methods;
using DiffQuant.Quantization;

namespace DiffQuant.Lab;

/// <summary>Parses rate lists such as "1-12", "4,6,8", "2:6:0.5" or "1-4,5.5".</summary>
public static class RateGrid
{
    /// <summary>
    /// Comma-separated items, each a number, an integer range "a-b" (step 1) or "a:b:step"; fractional
    /// values allowed. Duplicates are removed and the result sorted.
    /// </summary>
    public static IReadOnlyList<double> Parse(string text)
    {
        var rates = new SortedSet<double>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var stepped = raw.Split(':');
            if (stepped.Length == 3)
            {
                AddRange(rates, Number(stepped[0], raw), Number(stepped[1], raw), Number(stepped[2], raw), raw);
            }
            else if (RangeDash(raw) is { } dash)
            {
                AddRange(rates, Number(raw[..dash], raw), Number(raw[(dash + 1)..], raw), 1, raw);
            }
            else
            {
                rates.Add(Positive(Number(raw, raw), raw));
            }
        }

        if (rates.Count == 0)
        {
            throw new DiffQuantException($"no rates in '{text}'; write e.g. 1-12, 4,6,8 or 2:6:0.5.");
        }

        return [.. rates];
    }

    /// <summary>Comma-separated ramps C in bits per coordinate (<see cref="RateRamp"/>), e.g. "0,0.5,1"; duplicates removed, sorted.</summary>
    public static IReadOnlyList<double> ParseRamps(string text)
    {
        var ramps = new SortedSet<double>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ramp = Number(item, item, "ramp");
            if (RateRamp.Refusal(ramp) is { } why)
            {
                throw new DiffQuantException($"ramp '{item}' {why}");
            }

            ramps.Add(ramp);
        }

        return ramps.Count > 0 ? [.. ramps] : throw new DiffQuantException($"no ramps in '{text}'; write e.g. 0 or 0,0.5,1.");
    }

    /// <summary>Refuses an empty list or a rate outside (0, 52] bits per coordinate.</summary>
    public static void Validate(IReadOnlyList<double> rates)
    {
        if (rates.Count == 0)
        {
            throw new DiffQuantException("a sweep needs at least one rate.");
        }

        foreach (var rate in rates)
        {
            if (!(rate > 0) || rate > BitAllocation.MaxBitsPerCoordinate)
            {
                throw new DiffQuantException($"rate {rate} is outside (0, {BitAllocation.MaxBitsPerCoordinate}] bits per coordinate.");
            }
        }
    }

    /// <summary>Refuses, before any instance runs, a rate some quantizer cannot use at this dimension (e.g. one giving 0 bits).</summary>
    public static void ValidateFor(IReadOnlyList<double> rates, IEnumerable<string> quantizers, int dimension)
    {
        foreach (var quantizer in quantizers)
        {
            foreach (var rate in rates)
            {
                try
                {
                    QuantizerSpec.Parse(quantizer, rate).Create(dimension);
                }
                catch (DiffQuantException e)
                {
                    throw new DiffQuantException($"--rates: {e.Message}", e);
                }
            }
        }
    }

    private static void AddRange(SortedSet<double> rates, double from, double to, double step, string item)
    {
        if (!(step > 0) || to < from || (to - from) / step > 10_000)
        {
            throw new DiffQuantException($"rate range '{item}' needs from ≤ to and a positive step with at most 10000 points.");
        }

        for (var k = 0; from + (k * step) <= to + 1e-9; k++)
        {
            rates.Add(Positive(Math.Round(from + (k * step), 9), item));
        }
    }

    /// <summary>The '-' of a range "a-b": not a leading sign and not an exponent's sign (as in 1e-3); null for none.</summary>
    private static int? RangeDash(string item)
    {
        for (var k = 1; k < item.Length; k++)
        {
            if (item[k] == '-' && item[k - 1] is not ('e' or 'E'))
            {
                return k;
            }
        }

        return null;
    }

    private static double Number(string text, string item, string what = "rate") =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new DiffQuantException($"'{text}' in {what} item '{item}' is not a number.");

    private static double Positive(double rate, string item) =>
        rate > 0 ? rate : throw new DiffQuantException($"rate {rate} in '{item}' must be positive.");
}
