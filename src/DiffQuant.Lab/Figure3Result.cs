using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace DiffQuant.Lab;

/// <summary>One run of a Fig. 3 sweep: a method at a rate on one instance.</summary>
public sealed record Figure3Run(
    int Instance,
    long Seed,
    string Method,
    double RateBits,
    int Iterations,
    double EmpiricalRate,
    double TailRate,
    double RelativeError,
    long Overloads,
    long Bits,
    string ExitReason,
    double Sigma,
    double Bound,
    double? PaperBound,
    double Converse);

/// <summary>
/// A method at a rate, over all instances. Plain methods send binary64 floats and appear once, at
/// rate_bits = 64. <see cref="Sigma"/> is the mean σ of the unquantized method; <see cref="TailRateMean"/>
/// the mean rate over the second half of each run (see RunResult.TailRate); <see cref="Bound"/> is the contraction the worst-case schedule guarantees,
/// <see cref="PaperBound"/> the paper's stated bound (DQ-GD, NQ-GD), both averaged over instances.
/// </summary>
public sealed record Figure3Row(
    string Method,
    double RateBits,
    double Sigma,
    double EmpiricalRateMean,
    double EmpiricalRateStd,
    double TailRateMean,
    double Bound,
    double? PaperBound,
    double Converse,
    double IterationsMean,
    long Overloads);

/// <summary>The outcome of a Fig. 3 sweep; <see cref="Runs"/> go to runs.csv, the rest to figure3.json.</summary>
public sealed record Figure3Result(
    string Problem,
    int N,
    int M,
    int Instances,
    long Seed,
    string Quantizer,
    double SigmaGd,
    double Rho,
    IReadOnlyList<Figure3Row> Rows,
    double ElapsedSeconds,
    long IterationsTotal,
    double MicrosecondsPerIteration,
    int Threads)
{
    [JsonIgnore]
    public IReadOnlyList<Figure3Run> Runs { get; init; } = [];

    /// <summary>Runs in the sweep (plain methods once per instance, quantized ones once per rate).</summary>
    public int RunCount => Runs.Count;

    /// <summary>The row of <paramref name="method"/> at <paramref name="rate"/> (plain methods: any rate).</summary>
    public Figure3Row? Row(string method, double rate) =>
        Rows.FirstOrDefault(r => r.Method == method && (r.RateBits == rate || r.RateBits == 64 && !method.Contains('-', StringComparison.Ordinal)));

    /// <summary>runs.csv: one line per run.</summary>
    public string RunsCsv()
    {
        var csv = new StringBuilder("instance,seed,method,rate_bits,iterations,empirical_rate,tail_rate,relative_error,overloads,bits,exit_reason,sigma,bound,paper_bound,converse\n");
        foreach (var r in Runs)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Instance},{r.Seed},{r.Method},{r.RateBits:R},{r.Iterations},{r.EmpiricalRate:R},{r.TailRate:R},{r.RelativeError:R},{r.Overloads},{r.Bits},{r.ExitReason},{r.Sigma:R},{r.Bound:R},{r.PaperBound?.ToString("R", CultureInfo.InvariantCulture)},{r.Converse:R}\n");
        }

        return csv.ToString();
    }
}
