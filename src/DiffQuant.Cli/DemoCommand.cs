using System.CommandLine;
using DiffQuant.Lab;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>
/// `dq demo`, the main job: Fig. 3 on the Gaussian ensemble (and on ash958 when found), bits to 1e-9 on
/// both, a printed summary and a Markdown report with the pictures in the output directory.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Output directory of the report.", DefaultValueFactory = _ => "dq-out" };
        var instances = new Option<int>("--instances") { Description = "Fig. 3 instances per problem.", DefaultValueFactory = _ => 200 }.Checked(OptionChecks.Positive);
        var bitsInstances = new Option<int>("--bits-instances") { Description = "Bits-to-accuracy instances per problem.", DefaultValueFactory = _ => 20 }.Checked(OptionChecks.Positive);
        var matrix = new Option<string?>("--matrix") { Description = "Matrix Market file for the second panel (default: ash958.mtx in a shared/data folder above the working directory or the tool)." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount }.Checked(OptionChecks.Positive);
        var seed = new Option<long>("--seed") { Description = "Base seed of the instances.", DefaultValueFactory = _ => 1 };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars or tables; only the report path." };
        var command = new Command("demo", "The main job: reproduce Fig. 3 and the bits-to-accuracy table on the Gaussian ensemble and ash958, and write a report.")
        {
            outDir, instances, bitsInstances, matrix, threads, seed, quiet,
        };
        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var console = CliApp.Console(output);
            var silent = parse.GetValue(quiet);
            var directory = ResultFiles.Directory(parse.GetRequiredValue(outDir));
            var sources = new List<(InstanceSource Source, string Stem)> { (InstanceSource.Gaussian(1000, 100), "gaussian") };
            if (SecondPanel(parse.GetValue(matrix), SharedData.Find, error) is { } matrixPath)
            {
                sources.Add((InstanceSource.Matrix(matrixPath), Path.GetFileNameWithoutExtension(matrixPath)));
            }

            var figureOptions = new Figure3Options { Instances = parse.GetValue(instances), Threads = parse.GetValue(threads), Seed = parse.GetValue(seed) };
            var bitsOptions = new BitsOptions { Instances = parse.GetValue(bitsInstances), Threads = parse.GetValue(threads), Seed = parse.GetValue(seed) };
            var figures = new List<DemoReport.FigureSection>();
            var bits = new List<DemoReport.BitsSection>();
            foreach (var (source, stem) in sources)
            {
                var figure = SweepOptions.WithProgress(console, silent, $"Fig. 3 on {source.Name}", figureOptions.Instances, p => Figure3Sweep.Run(source, figureOptions, p));
                ResultFiles.WriteFigure3(figure, directory, $"figure3-{stem}", $"runs-{stem}.csv");
                figures.Add(new DemoReport.FigureSection(figure, $"figure3-{stem}.png"));
                var table = SweepOptions.WithProgress(console, silent, $"bits to 1e-9 on {source.Name}", bitsOptions.Instances, p => BitsSweep.Run(source, bitsOptions, p));
                ResultFiles.WriteBits(table, directory, $"bits-{stem}");
                bits.Add(new DemoReport.BitsSection(table, $"bits-{stem}.png"));
                if (!silent)
                {
                    console.Write(new Rule(Markup.Escape(source.Name)));
                    Figure3Command.PrintClaims(console, figure);
                    BitsCommand.Print(console, table);
                }
            }

            var report = Path.Combine(directory, "report.md");
            ResultFiles.Text(report, DemoReport.Markdown(figures, bits, string.Join(' ', new[] { "dq", "demo" }.Concat(parse.Tokens.Skip(1).Select(t => t.Value)))));
            output.WriteLine($"report: {report}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The matrix of the second panel: the given path, else ash958.mtx where <paramref name="find"/> finds it, else
    /// null with a warning on <paramref name="error"/> (a warning, not progress: --quiet keeps it, so a report with
    /// one panel never passes unnoticed).
    /// </summary>
    internal static string? SecondPanel(string? given, Func<string, string?> find, TextWriter error)
    {
        var path = given ?? find("ash958.mtx");
        if (path is null)
        {
            error.WriteLine("warning: ash958.mtx not found in a data/ or shared/data folder above here or beside dq; the report has the Gaussian panel only. Pass --matrix PATH for the second panel.");
        }

        return path;
    }
}
