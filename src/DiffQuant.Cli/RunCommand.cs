using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Theory;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq run`: one method on one problem instance, in-process through the measuring channel.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new ProblemOptions();
        var method = new Option<string>("--method")
        {
            Description = $"Method: {string.Join(", ", MethodSpec.All.Select(m => m.Name))}.",
            DefaultValueFactory = _ => "dq-gd",
        };
        var rate = new Option<double>("--rate")
        {
            Description = "R, bits per coordinate per iteration (fractional allowed); ignored by float codecs.",
            DefaultValueFactory = _ => 6,
        };
        var quantizer = new Option<string?>("--quantizer")
        {
            Description = $"Quantizer: {string.Join(", ", QuantizerSpec.Kinds)} (default: cube for nq-/dq- methods, float64 otherwise).",
        };
        var ditherSeed = new Option<ulong>("--dither-seed")
        {
            Description = "Seed both ends share for the dithered quantizer.",
            DefaultValueFactory = _ => 7,
        };
        var eps = new Option<double?>("--eps") { Description = "Stop at this relative error ‖x̂−x*‖/‖x̂_0−x*‖ (default 1e-9 unless --iterations is given)." };
        var iterations = new Option<int?>("--iterations") { Description = "Iteration budget (default 10000)." };
        var maxBits = new Option<long?>("--max-bits") { Description = "Uplink bit budget for the whole run, setup included." };
        var stall = new Option<int?>("--stall")
        {
            Description = "Stop when the error has not improved for this many iterations.",
            DefaultValueFactory = _ => 200,
        };
        var eta = new Option<double?>("--eta") { Description = "Step size η (default: the classical tuning from L and μ)." };
        var gamma = new Option<double?>("--gamma") { Description = "Momentum γ for hb/agd (default: the classical tuning)." };
        var distance = new Option<double?>("--d-bound") { Description = "D ≥ ‖x̂_0 − x*‖ for the range schedule (default: computed from x*)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };

        var command = new Command("run", "Run one method on one problem instance and report accuracy, rate and bits.");
        foreach (var option in problem.All.Concat<Option>([method, rate, quantizer, ditherSeed, eps, iterations, maxBits, stall, eta, gamma, distance, json]))
        {
            command.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var spec = MethodSpec.Parse(parse.GetRequiredValue(method));
            var quantizerKind = parse.GetValue(quantizer) ?? (spec.Compression == Compression.None ? "float64" : "cube");
            var quantizerSpec = QuantizerSpec.Parse(quantizerKind, parse.GetValue(rate), parse.GetValue(ditherSeed));
            var (instance, x0) = problem.Create(parse);
            var config = new MethodConfig
            {
                Method = spec,
                Quantizer = quantizerSpec,
                Dimension = instance.Dimension,
                StepSize = parse.GetValue(eta),
                Gamma = parse.GetValue(gamma),
            };
            config.Validate();
            var budget = parse.GetValue(iterations);
            var stop = new StopRule
            {
                MaxIterations = budget ?? 10_000,
                MaxUplinkBits = parse.GetValue(maxBits),
                TargetRelativeError = parse.GetValue(eps) ?? (budget is null ? 1e-9 : null),
                StallWindow = parse.GetValue(stall),
            };
            var asJson = parse.GetValue(json);
            var console = CliApp.Console(output);
            Action<int, double>? progress = asJson ? null : (t, e) =>
            {
                if ((t & (t - 1)) == 0)
                {
                    console.MarkupLine($"  t = {t,6}  relative error {e:E3}");
                }
            };
            if (!asJson)
            {
                console.MarkupLine($"[bold]{spec.Name}[/] with {Markup.Escape(quantizerSpec.Kind)} at R = {quantizerSpec.Rate} on {Markup.Escape(instance.Name)} (n = {instance.Dimension}, κ = {instance.Kappa:G5})");
            }

            var result = LocalRun.Execute(instance, config, x0, stop, parse.GetValue(distance), progress);
            var report = Report(spec, quantizerSpec, config, instance, parse.GetValue(problem.Seed), result);
            if (asJson)
            {
                output.WriteLine(ResultJson.Serialize(report));
            }
            else
            {
                Print(console, report);
            }

            return 0;
        }));
        return command;
    }

    private static RunReport Report(MethodSpec spec, QuantizerSpec quantizerSpec, MethodConfig config, Problems.Problem instance, long seed, RunResult result)
    {
        var tuning = Tuning.For(spec.Momentum, instance.L, instance.Mu, config.StepSize, config.Gamma);
        var quantizer = quantizerSpec.Create(instance.Dimension);
        var epsilon = quantizer.CoveringRadius(1);
        var rho = quantizer.UsesRange ? quantizer.CoveringEfficiency : (double?)null;
        double? paper = (spec.Momentum, spec.Compression, rho) switch
        {
            (Momentum.None, Compression.Differential, { } r) => Bounds.DqGd(tuning.Sigma, r, quantizer.Rate),
            (Momentum.None, Compression.Naive, { } r) => Bounds.NqGdPaper(tuning.Sigma, r, quantizer.Rate),
            _ => null,
        };
        return new RunReport
        {
            Method = spec.Name,
            Quantizer = quantizerSpec.Kind,
            Problem = instance.Name,
            N = instance.Dimension,
            M = instance.Rows,
            Seed = seed,
            L = instance.L,
            Mu = instance.Mu,
            Kappa = instance.Kappa,
            StepSize = tuning.StepSize,
            Gamma = tuning.Gamma,
            Sigma = tuning.Sigma,
            RateBits = quantizer.Rate,
            Rho = rho,
            ExitReason = result.ExitReason.ToString(),
            Iterations = result.Iterations,
            BitsTotal = result.UplinkBits,
            SetupBits = result.SetupBits,
            BitsPerIteration = result.MaxMessageBits,
            BitsPerCoordinate = (double)result.UplinkBits / instance.Dimension,
            DownlinkBitsTotal = result.DownlinkBits,
            RelativeError = result.RelativeError,
            EmpiricalRate = result.EmpiricalRate,
            Bound = Bounds.Guaranteed(spec, tuning, double.IsNaN(epsilon) ? 0 : epsilon, instance.L, instance.Mu),
            PaperBound = paper,
            Converse = Bounds.Converse(tuning.Sigma, quantizer.Rate),
            Overloads = result.Overloads,
        };
    }

    private static void Print(IAnsiConsole console, RunReport r)
    {
        var table = new Table().AddColumn("quantity").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("exit", $"{r.ExitReason} after {r.Iterations} iterations");
        Row("relative error", $"{r.RelativeError:E3}");
        Row("empirical rate", $"{r.EmpiricalRate:F4}");
        Row("bound (schedule)", $"{r.Bound:F4}");
        if (r.PaperBound is { } paper)
        {
            Row("bound (paper)", $"{paper:F4}");
        }

        Row("converse", $"{r.Converse:F4}");
        Row("sigma", $"{r.Sigma:F4} (eta = {r.StepSize:G4}, gamma = {r.Gamma:G4})");
        Row("uplink bits", $"{r.BitsTotal} ({r.BitsPerCoordinate:F1} per coordinate; setup {r.SetupBits}; ≤ {r.BitsPerIteration} per iteration)");
        Row("downlink bits", $"{r.DownlinkBitsTotal}");
        Row("overloads", $"{r.Overloads}");
        console.Write(table);
    }
}
