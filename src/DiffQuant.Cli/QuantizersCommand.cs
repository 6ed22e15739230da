using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.Quantization;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq quantizers`: every registered quantizer measured on the same vectors (error, effective ρ, saturation, speed).</summary>
internal static class QuantizersCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new QuantizerTableOptions();
        var n = new Option<int>("--n") { Description = "Length of the vectors.", DefaultValueFactory = _ => defaults.N }.Checked(OptionChecks.Positive);
        var rates = new Option<string>("--rates") { Description = "Rates R of the ranged quantizers: a list or ranges, e.g. 1,2,4 or 0.5:4:0.5.", DefaultValueFactory = _ => string.Join(",", defaults.Rates) }.Checked(r => RateGrid.Parse(r));
        var trials = new Option<int>("--trials") { Description = "Vectors per quantizer and rate.", DefaultValueFactory = _ => defaults.Trials }.Checked(OptionChecks.Positive);
        var seed = new Option<long>("--seed") { Description = "Seed of the vectors (and of the quantizers' shared randomness).", DefaultValueFactory = _ => defaults.Seed };
        var quantizers = new Option<string>("--quantizers") { Description = $"Comma-separated quantizers: {string.Join(", ", QuantizerRegistry.Names)}.", DefaultValueFactory = _ => string.Join(",", defaults.Quantizers) };
        var outDirectory = new Option<string?>("--out") { Description = "Also write quantizers.json and quantizers.md here." };
        var json = new Option<bool>("--json") { Description = "Print the result JSON instead of a table." };
        quantizers.Checked(OptionChecks.EachItem(QuantizerRegistry.Find));
        var command = new Command("quantizers", "Every quantizer on the same Gaussian and spiky vectors: relative error, effective ρ, saturation, encode and decode speed.") { n, rates, trials, seed, quantizers, outDirectory, json };
        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var result = QuantizerTable.Measure(new QuantizerTableOptions
            {
                N = parse.GetValue(n),
                Rates = RateGrid.Parse(parse.GetRequiredValue(rates)),
                Trials = parse.GetValue(trials),
                Seed = parse.GetValue(seed),
                Quantizers = [.. parse.GetRequiredValue(quantizers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(q => QuantizerRegistry.Find(q).Name).Distinct()],
            });
            if (parse.GetValue(outDirectory) is { } target)
            {
                var directory = ResultFiles.Directory(target);
                ResultFiles.Staged(directory, staging =>
                {
                    ResultFiles.Text(Path.Combine(staging, "quantizers.json"), ResultJson.Serialize(result));
                    ResultFiles.Text(Path.Combine(staging, "quantizers.md"), QuantizerTable.Markdown(result));
                });
            }

            if (parse.GetValue(json))
            {
                output.WriteLine(ResultJson.Serialize(result));
                return 0;
            }

            var console = CliApp.Console(output);
            console.MarkupLine(Markup.Escape($"n = {result.N}, {result.Trials} vectors of each input, range {result.Range}"));
            var table = new Table().AddColumns("input", "quantizer", "R", "bits / message", "mean ‖e‖/‖u‖", "worst ‖e‖/‖u‖", "effective ρ", "cell NSM", "saturated", "encode M/s", "decode M/s");
            foreach (var r in result.Rows)
            {
                table.AddRow(r.Input, r.Quantizer, $"{r.RateBits:G}", $"{r.BitsPerMessage}", $"{r.MeanRelativeError:G3}", $"{r.WorstRelativeError:G3}", r.EffectiveRho is { } rho ? $"{rho:F2}" : "—", r.NormalizedSecondMoment is { } g ? $"{g:F4}" : "—", $"{r.OverloadShare:P1}", QuantizerTable.Speed(r.EncodeMillionsPerSecond), QuantizerTable.Speed(r.DecodeMillionsPerSecond));
            }

            console.Write(table);
            return 0;
        }));
        return command;
    }
}
