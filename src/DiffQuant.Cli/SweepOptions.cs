using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.Methods;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>Options every sweep command shares, and the progress display they run under.</summary>
internal sealed class SweepOptions(string defaultOut, int defaultInstances, string defaultRates, string defaultMethods)
{
    public Option<int> Instances { get; } = new Option<int>("--instances")
    {
        Description = "Problem instances (fresh y and x̂_0 each; a fresh A for the Gaussian ensemble).",
        DefaultValueFactory = _ => defaultInstances,
    }.Checked(OptionChecks.Positive);

    public Option<string> Rates { get; } = new Option<string>("--rates")
    {
        Description = "Rates R in bits per coordinate: a list or ranges, e.g. 1-12, 4,6,8 or 2:6:0.5.",
        DefaultValueFactory = _ => defaultRates,
    }.Checked(r => RateGrid.Parse(r));

    public Option<string> Methods { get; } = new Option<string>("--methods")
    {
        Description = $"Comma-separated methods among {string.Join(", ", MethodSpec.All.Select(m => m.Name))}.",
        DefaultValueFactory = _ => defaultMethods,
    }.Checked(OptionChecks.EachItem(MethodSpec.Parse));

    public Option<string> Out { get; } = new Option<string>("--out")
    {
        Description = "Output directory.",
        DefaultValueFactory = _ => defaultOut,
    };

    public Option<int> Threads { get; } = new Option<int>("--threads")
    {
        Description = "Worker threads (results do not depend on it).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    }.Checked(OptionChecks.Positive);

    public Option<ulong> DitherSeed { get; } = new Option<ulong>("--dither-seed")
    {
        Description = "Seed both ends share for the dithered quantizer (independent of the instances).",
        DefaultValueFactory = _ => 7,
    };

    public Option<bool> Quiet { get; } = new Option<bool>("--quiet") { Description = "No progress bar or tables; only the paths written." };

    public Option<bool> Json { get; } = new Option<bool>("--json") { Description = "Print the result JSON instead of tables." };

    public IEnumerable<Option> All => [Instances, Rates, Methods, Out, Threads, DitherSeed, Quiet, Json];

    public static IReadOnlyList<MethodSpec> ParseMethods(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MethodSpec.Parse).Distinct()];

    /// <summary>
    /// The common tail of a sweep command: runs the sweep (with a progress bar unless --quiet or --json),
    /// writes its files into --out, prints its tables or its JSON, and names what it wrote.
    /// </summary>
    public int Execute<T>(ParseResult parse, TextWriter output, TextWriter error, string label, int instances, Func<Action<int>, T> run, Action<T, string> write, Action<IAnsiConsole, T> print, string written)
    {
        var directory = ResultFiles.Directory(parse.GetRequiredValue(Out));
        var console = CliApp.Console(output);
        var json = parse.GetValue(Json);
        var result = WithProgress(console, parse.GetValue(Quiet) || json, label, instances, run);
        write(result, directory);
        if (json)
        {
            output.WriteLine(ResultJson.Serialize(result));
        }
        else if (!parse.GetValue(Quiet))
        {
            print(console, result);
        }

        // stdout of --json is one JSON document; what was written is a message, so it goes to stderr.
        (json ? error : output).WriteLine($"wrote {written} to {directory}");
        return 0;
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar of <paramref name="total"/> instances unless quiet.</summary>
    public static T WithProgress<T>(IAnsiConsole console, bool quiet, string label, int total, Func<Action<int>, T> work)
    {
        if (quiet)
        {
            return work(_ => { });
        }

        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: total);
                result = work(done => task.Value = done);
            });
        return result;
    }
}
