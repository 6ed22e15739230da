using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.Quantization;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq figure3`: the paper's Fig. 3 as a parallel sweep with JSON, CSV and plots.</summary>
internal static class Figure3Command
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new ProblemOptions();
        var workers = new WorkerOptions();
        var ranges = QuantizerChoices.RangesOption("Range policies of the quantized methods (each distinct one is its own curve)", new Figure3Options().Ranges);
        var sweep = new SweepOptions(Path.Combine("dq-out", "figure3"), 500, "1-12", "gd,nq-gd,dq-gd");
        var quantizer = new Option<string>("--quantizer") { Description = $"Quantizer of the nq-/dq- methods: {QuantizerChoices.Ranged}.", DefaultValueFactory = _ => new Figure3Options().Quantizer };
        var floor = CliNumbers.Double("--floor", "Stop a run at this relative error (machine precision).", new Figure3Options().Floor);
        var stall = new Option<int>("--stall") { Description = "Stop a run when its error has not improved for this many iterations.", DefaultValueFactory = _ => 25 };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Iteration cap per run.", DefaultValueFactory = _ => 1000 };
        quantizer.Checked(q => QuantizerRegistry.Find(q));
        floor.Checked(f => OptionChecks.OpenUnit(f));
        stall.Checked(OptionChecks.Positive);
        maxIterations.Checked(OptionChecks.Positive);
        var command = new Command("figure3", "Reproduce Fig. 3: empirical contraction factors of GD, NQ-GD and DQ-GD (or any methods) against R, with bounds and the converse.");
        foreach (var option in problem.All.Concat(sweep.All).Concat(workers.All).Concat([quantizer, ranges, floor, stall, maxIterations]))
        {
            command.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var options = new Figure3Options
            {
                Instances = parse.GetValue(sweep.Instances),
                Rates = RateGrid.Parse(parse.GetRequiredValue(sweep.Rates)),
                Methods = SweepOptions.ParseMethods(parse.GetRequiredValue(sweep.Methods)),
                Quantizer = QuantizerChoices.RangedQuantizer(parse.GetRequiredValue(quantizer), "--quantizer"),
                Seed = parse.GetValue(problem.Seed),
                Floor = parse.GetValue(floor),
                StallWindow = parse.GetValue(stall),
                MaxIterations = parse.GetValue(maxIterations),
                Threads = parse.GetValue(sweep.Threads),
                DitherSeed = parse.GetValue(sweep.DitherSeed),
                Ranges = QuantizerChoices.ParseRanges(parse.GetRequiredValue(ranges)),
                Workers = workers.GetWorkers(parse),
                Allocation = workers.GetAllocation(parse),
            };
            var source = problem.CreateSource(parse);
            return sweep.Execute(
                parse,
                output,
                error,
                $"figure3 {source.Name}",
                options.Instances,
                progress => Figure3Sweep.Run(source, options, progress),
                (result, directory) => ResultFiles.WriteFigure3(result, directory, "figure3", "runs.csv"),
                Print,
                "figure3.json, figure3.md, runs.csv, figure3.png and figure3.svg");
        }));
        return command;
    }

    /// <summary>The paper's claims next to what this sweep measured.</summary>
    internal static void PrintClaims(IAnsiConsole console, Figure3Result result)
    {
        var claims = new Table().AddColumns("the paper says", "predicted here", "measured");
        foreach (var claim in Figure3Analysis.Of(result).Claims)
        {
            claims.AddRow(Markup.Escape(claim.Statement), Markup.Escape(claim.Predicted), Markup.Escape(claim.Measured));
        }

        console.Write(claims);
    }

    internal static void Print(IAnsiConsole console, Figure3Result result)
    {
        var table = new Table().AddColumns("method", "range", "R", "rate (mean ± std)", "tail rate", "bound", "paper bound", "converse", "iterations", "overloads");
        foreach (var row in result.Rows)
        {
            table.AddRow(
                row.Method,
                row.Range,
                $"{row.RateBits:G}",
                $"{row.EmpiricalRateMean:F4} ± {row.EmpiricalRateStd:F4}",
                $"{row.TailRateMean:F4}",
                DemoReport.Clipped(row.Bound),
                DemoReport.Clipped(row.PaperBound),
                $"{row.Converse:F4}",
                $"{row.IterationsMean:F1}",
                $"{row.Overloads}");
        }

        console.Write(table);
        PrintClaims(console, result);
        console.MarkupLine(Markup.Escape($"{result.Instances} instances, {result.IterationsTotal} iterations in {result.ElapsedSeconds:F2} s on {result.Threads} threads ({result.MicrosecondsPerIteration:F2} µs per iteration per thread)"));
    }
}
