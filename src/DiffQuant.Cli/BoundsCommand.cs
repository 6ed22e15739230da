using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Theory;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq bounds`: the paper's rates and thresholds for given κ, n and R with the cube quantizer (ρ = √n).</summary>
internal static class BoundsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var kappa = CliNumbers.Double("--kappa", "Condition number κ = L/μ of f.", double.NaN);
        var n = new Option<int>("--n") { Description = "Dimension n (the cube quantizer's ρ = √n).", Required = true };
        var rate = CliNumbers.Double("--rate", "R, bits per coordinate.", double.NaN);
        var eps = CliNumbers.Double("--eps", "Target relative accuracy for the volume floor log2(1/eps).", 1e-9);
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        kappa.Required = true;
        rate.Required = true;
        var command = new Command("bounds", "Contraction factors, DQ/NQ bounds, the converse and loss-free thresholds.") { kappa, n, rate, eps, json };
        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var report = Compute(parse.GetValue(kappa), parse.GetValue(n), parse.GetValue(rate), parse.GetValue(eps));
            if (parse.GetValue(json))
            {
                output.WriteLine(ResultJson.Serialize(report));
                return 0;
            }

            var console = CliApp.Console(output);
            console.MarkupLine($"κ = {report.Kappa}, n = {report.N}, R = {report.RateBits}, ρ = √n = {report.Rho:G4}");
            var table = new Table().AddColumns("method", "σ", "DQ bound", "NQ bound (paper)", "NQ bound (schedule)", "converse", "loss-free R ≥");
            foreach (var m in report.Methods)
            {
                table.AddRow(m.Method, $"{m.Sigma:F4}", $"{m.DqBound:F4}", m.NqBoundPaper is { } p ? $"{p:F4}" : "—", $"{m.NqBoundSchedule:F4}", $"{m.Converse:F4}", $"{m.LossFreeThreshold:F2}");
            }

            console.Write(table);
            console.MarkupLine($"volume floor to reach {report.Eps:G3}: {report.VolumeFloorBits:F2} bits per coordinate");
            return 0;
        }));
        return command;
    }

    internal static BoundsReport Compute(double kappa, int n, double rate, double eps)
    {
        if (double.IsNaN(kappa) || double.IsNaN(rate))
        {
            throw new DiffQuantException($"{(double.IsNaN(kappa) ? "--kappa" : "--rate")} is required.");
        }

        ProblemLimits.ConditionNumber(kappa);

        if (n <= 0)
        {
            throw new DiffQuantException($"--n must be positive, got {n}.");
        }

        if (!(rate > 0) || !double.IsFinite(rate))
        {
            throw new DiffQuantException($"--rate must be a positive number of bits per coordinate, got {rate}.");
        }

        if (!(eps > 0 && eps < 1))
        {
            throw new DiffQuantException($"--eps must lie in (0, 1), got {eps}.");
        }

        var rho = Math.Sqrt(n);
        var epsilon = rho * Math.Pow(2, -rate);
        var rows = new List<MethodBounds>();
        foreach (var momentum in Enum.GetValues<Momentum>())
        {
            var tuning = Tuning.For(momentum, kappa, 1);
            var sigma = tuning.Sigma;
            var gd = momentum == Momentum.None;
            rows.Add(new MethodBounds(
                new MethodSpec(momentum, Compensation.None).Name,
                sigma,
                Bounds.Guaranteed(new MethodSpec(momentum, Compensation.Differential), tuning, epsilon, kappa, 1),
                gd ? Bounds.NqGdPaper(sigma, rho, rate) : null,
                Bounds.Guaranteed(new MethodSpec(momentum, Compensation.Naive), tuning, epsilon, kappa, 1),
                Bounds.Converse(sigma, rate),
                gd ? Bounds.LossFreeThreshold(sigma, rho) : Bounds.MomentumThreshold(sigma, tuning.Gamma, rho)));
        }

        return new BoundsReport(kappa, n, rate, rho, eps, Bounds.VolumeFloor(eps), rows);
    }

    internal sealed record MethodBounds(string Method, double Sigma, double DqBound, double? NqBoundPaper, double NqBoundSchedule, double Converse, double LossFreeThreshold);

    internal sealed record BoundsReport(double Kappa, int N, double RateBits, double Rho, double Eps, double VolumeFloorBits, IReadOnlyList<MethodBounds> Methods);
}
