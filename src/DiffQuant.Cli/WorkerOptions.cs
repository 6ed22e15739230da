using System.CommandLine;
using DiffQuant.Methods;

namespace DiffQuant.Cli;

/// <summary>The options of several workers, shared by `dq run` and `dq figure3`; defaults come from <see cref="MethodConfig"/>.</summary>
internal sealed class WorkerOptions
{
    public Option<int> Workers { get; } = new Option<int>("--workers")
    {
        Description = "K, the workers: the rows of A split into K contiguous shards (or by --shards), f = Σ f_k.",
        DefaultValueFactory = _ => MethodConfig.DefaultWorkers,
    }.Checked(OptionChecks.Positive);

    public Option<string> Allocation { get; } = new Option<string>("--allocation")
    {
        Description = "How K workers share K·n·R bits per round: equal, or lipschitz (R_k = R + log2 L_k − mean log2 L_j).",
        DefaultValueFactory = _ => RateAllocation.Name(MethodConfig.DefaultAllocation),
    }.Checked(a => RateAllocation.Parse(a));

    public IEnumerable<Option> All => [Workers, Allocation];

    public int GetWorkers(ParseResult parse)
    {
        var k = parse.GetValue(Workers);
        if (k < 1)
        {
            throw new DiffQuantException($"--workers must be at least 1, got {k}.");
        }

        return k;
    }

    public RateAllocationKind GetAllocation(ParseResult parse) => RateAllocation.Parse(parse.GetRequiredValue(Allocation));
}
