using System.CommandLine;
using System.Globalization;
using DiffQuant.Lab;
using DiffQuant.Quantization;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq bits`: bits per coordinate to reach a relative accuracy, per method, quantizer and rate.</summary>
internal static class BitsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new ProblemOptions();
        var sweep = new SweepOptions(Path.Combine("dq-out", "bits"), new BitsOptions().Instances, BitsOptions.DefaultRates, string.Join(",", new BitsOptions().Methods.Select(m => m.Name)));
        var quantizers = new Option<string>("--quantizers") { Description = $"Comma-separated quantizers of the nq-/dq- methods: {QuantizerChoices.Ranged}.", DefaultValueFactory = _ => string.Join(",", new BitsOptions().Quantizers) };
        var ranges = QuantizerChoices.RangesOption("Comma-separated range policies of the nq-/dq- methods (a pair a method refuses is skipped and listed)", new BitsOptions().Ranges);
        var eps = CliNumbers.Double("--eps", "Target relative error ‖x̂−x*‖/‖x̂_0−x*‖.", new BitsOptions().Eps);
        var ramps = new Option<string>("--ramps")
        {
            Description = "Comma-separated ramps C of the nq-/dq- methods under adaptive ranges: message m at R_m = max(R/2, R − ⌊16·C·log2((m+2)/(m+1))⌋/16) (0: every message at R).",
            DefaultValueFactory = _ => string.Join(",", new BitsOptions().Ramps.Select(r => r.ToString(CultureInfo.InvariantCulture))),
        };
        ramps.Checked(r => RateGrid.ParseRamps(r ?? string.Empty));
        quantizers.Checked(OptionChecks.EachItem(QuantizerRegistry.Find));
        eps.Checked(e => OptionChecks.OpenUnit(e));
        var command = new Command("bits", "Bits per coordinate to reach relative accuracy eps, against the volume floor log2(1/eps).");
        foreach (var option in problem.All.Concat(sweep.All).Concat([quantizers, ranges, ramps, eps]))
        {
            command.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var options = new BitsOptions
            {
                Instances = parse.GetValue(sweep.Instances),
                Rates = RateGrid.Parse(parse.GetRequiredValue(sweep.Rates)),
                Methods = SweepOptions.ParseMethods(parse.GetRequiredValue(sweep.Methods)),
                Quantizers = [.. parse.GetRequiredValue(quantizers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(q => QuantizerRegistry.Find(q).Name).Distinct()],
                Ranges = QuantizerChoices.ParseRanges(parse.GetRequiredValue(ranges)),
                Ramps = RateGrid.ParseRamps(parse.GetRequiredValue(ramps)),
                Eps = parse.GetValue(eps),
                Seed = parse.GetValue(problem.Seed),
                Threads = parse.GetValue(sweep.Threads),
                DitherSeed = parse.GetValue(sweep.DitherSeed),
            };
            var source = problem.CreateSource(parse);
            return sweep.Execute(
                parse,
                output,
                error,
                $"bits {source.Name}",
                options.Instances,
                progress => BitsSweep.Run(source, options, progress),
                (result, directory) => ResultFiles.WriteBits(result, directory, "bits"),
                Print,
                "bits.json, bits.md, bits.png and bits.svg");
        }));
        return command;
    }

    internal static void Print(IAnsiConsole console, BitsResult result)
    {
        var table = new Table().AddColumns("method", "best quantizer", "range", "R", "iterations", "bits / coordinate", "× floor");
        foreach (var (method, row) in result.Best.OrderBy(b => b.Value.BitsPerCoordinateMean))
        {
            table.AddRow(
                method,
                row.Quantizer,
                row.Range,
                row.RateText,
                $"{row.IterationsMean:F1}",
                $"{row.BitsPerCoordinateMean:F1}",
                $"{row.BitsPerCoordinateMean / result.FloorBits:F2}");
        }

        console.MarkupLine(Markup.Escape($"Bits per coordinate to reach relative error {result.Eps:G2} on {result.Problem} ({result.Instances} instances); volume floor log2(1/ε) = {result.FloorBits:F2}"));
        console.Write(table);
        var missing = result.Rows.Where(r => r.BitsPerCoordinateMean is null).Select(r => r.Method).Distinct().Where(m => !result.Best.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            console.MarkupLine(Markup.Escape($"never reached ε on every instance at any swept rate: {string.Join(", ", missing)}"));
        }

        // "method quantizer range: why", one line per quantizer and range with the methods that refused it.
        foreach (var pair in result.Skipped.GroupBy(s => s[(s.IndexOf(' ') + 1)..]))
        {
            var (what, why) = (pair.Key[..pair.Key.IndexOf(':')], pair.Key[(pair.Key.IndexOf(':') + 2)..]);
            console.MarkupLine(Markup.Escape($"skipped {what} for {string.Join(", ", pair.Select(s => s[..s.IndexOf(' ')]))}: {why}"));
        }
    }
}
