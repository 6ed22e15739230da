using System.Globalization;
using System.Text.Json.Serialization;
using DiffQuant.Methods;

namespace DiffQuant.Lab;

/// <summary>
/// A method with a quantizer and range policy ("none" for floats) at a rate R and ramp (<see cref="RateRamp"/>; 0 for
/// none), over all instances: <see cref="Reached"/> instances got to ε;
/// the means are over all instances and null unless every one did (a partial mean would flatter).
/// Bits are uplink bits as the channel measured them, setup included, divided by n. <see cref="Overloads"/>
/// sums the saturated quantizer inputs over all instances.
/// </summary>
public sealed record BitsRow(
    string Method,
    string Quantizer,
    string Range,
    double RateBits,
    double RampBits,
    int Reached,
    double? IterationsMean,
    double? BitsPerCoordinateMean,
    long Overloads)
{
    /// <summary>R as the tables print it: "1.85", or "1.85, ramp 1" under a ramp.</summary>
    [JsonIgnore]
    public string RateText => RampBits == RateRamp.DefaultBits
        ? RateBits.ToString("G", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{RateBits:G}, ramp {RampBits:G}");
}

/// <summary>
/// The outcome of a bits-to-accuracy sweep; <see cref="Best"/> holds each method's cheapest row and
/// <see cref="BestOverall"/> the cheapest of all; <see cref="Skipped"/> names the combinations a method refused, and why.
/// </summary>
public sealed record BitsResult(
    string Problem,
    int N,
    int M,
    int Instances,
    long Seed,
    double Eps,
    double FloorBits,
    IReadOnlyList<BitsRow> Rows,
    IReadOnlyDictionary<string, BitsRow> Best,
    BitsRow? BestOverall,
    IReadOnlyList<string> Skipped,
    double ElapsedSeconds)
{
    /// <summary>Runs in the sweep: one per instance and row.</summary>
    public int RunCount => Instances * Rows.Count;

    /// <summary>Saturated quantizer inputs over every run of the sweep.</summary>
    public long OverloadsTotal => Rows.Sum(r => r.Overloads);
}
