using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace DiffQuant.Lab;

/// <summary>One run of a Fig. 3 sweep: a method at a rate under a range policy on one instance.</summary>
public sealed record Figure3Run(
    int Instance,
    long Seed,
    string Method,
    string Range,
    double RateBits,
    int Iterations,
    double EmpiricalRate,
    double TailRate,
    double RelativeError,
    long Overloads,
    long Bits,
    long FramingBits,
    string ExitReason,
    double Sigma,
    double? Bound,
    double? PaperBound,
    double Converse);

/// <summary>
/// A method at a rate under a range policy, over all instances. Plain methods send binary64 floats and
/// appear once, at rate_bits = 64, range "none". <see cref="Sigma"/> is the mean contraction of the
/// unquantized method with the server's tuning; <see cref="TailRateMean"/> the mean rate over the second
/// half of each run (see RunResult.TailRate); <see cref="Bound"/> the contraction the range policy
/// guarantees (null where none is derived: adaptive ranges, K &gt; 1), <see cref="PaperBound"/> the paper's
/// stated bound (DQ-GD, NQ-GD); bits are uplink information and framing bits per run.
/// </summary>
public sealed record Figure3Row(
    string Method,
    string Range,
    double RateBits,
    double Sigma,
    double EmpiricalRateMean,
    double EmpiricalRateStd,
    double TailRateMean,
    double? Bound,
    double? PaperBound,
    double Converse,
    double IterationsMean,
    long Overloads,
    double BitsMean,
    double FramingBitsMean)
{
    /// <summary>The curve's name: the method, and its range policy when it has one.</summary>
    public string Label => Range == "none" ? Method : $"{Method} ({Range})";
}

/// <summary>The outcome of a Fig. 3 sweep; <see cref="Runs"/> go to runs.csv, the rest to figure3.json.</summary>
public sealed record Figure3Result(
    string Problem,
    int N,
    int M,
    int Instances,
    long Seed,
    string Quantizer,
    int Workers,
    string Allocation,
    double SigmaGd,
    double? Rho,
    IReadOnlyList<Figure3Row> Rows,
    double ElapsedSeconds,
    long IterationsTotal,
    double MicrosecondsPerIteration,
    int Threads)
{
    [JsonIgnore]
    public IReadOnlyList<Figure3Run> Runs { get; init; } = [];

    /// <summary>Runs in the sweep (plain methods once per instance, quantized ones once per rate and range).</summary>
    public int RunCount => Runs.Count;

    /// <summary>The row of <paramref name="method"/> at <paramref name="rate"/> under <paramref name="range"/> (plain methods: any rate; null range: the first).</summary>
    public Figure3Row? Row(string method, double rate, string? range = null) =>
        Rows.FirstOrDefault(r => r.Method == method && (range is null || r.Range == range) && (r.RateBits == rate || r.Range == "none"));

    /// <summary>runs.csv: one line per run.</summary>
    public string RunsCsv()
    {
        var csv = new StringBuilder("instance,seed,method,range,rate_bits,iterations,empirical_rate,tail_rate,relative_error,overloads,bits,framing_bits,exit_reason,sigma,bound,paper_bound,converse\n");
        foreach (var r in Runs)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Instance},{r.Seed},{r.Method},{r.Range},{r.RateBits:R},{r.Iterations},{r.EmpiricalRate:R},{r.TailRate:R},{r.RelativeError:R},{r.Overloads},{r.Bits},{r.FramingBits},{r.ExitReason},{r.Sigma:R},{r.Bound?.ToString("R", CultureInfo.InvariantCulture)},{r.PaperBound?.ToString("R", CultureInfo.InvariantCulture)},{r.Converse:R}\n");
        }

        return csv.ToString();
    }
}
