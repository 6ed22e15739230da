using System.CommandLine;
using DiffQuant.Quantization;
using DiffQuant.Ranges;

namespace DiffQuant.Cli;

/// <summary>The sweeps' quantizer and range options, their help and their parsing, read from the registries (never retyped).</summary>
internal static class QuantizerChoices
{
    /// <summary>The registered quantizers that code to a range (what nq-/dq-/ef- methods take), comma-separated.</summary>
    public static string Ranged => string.Join(", ", QuantizerRegistry.Names.Where(n => QuantizerRegistry.Find(n).Capabilities.NeedsRange));

    /// <summary>The range policies, comma-separated.</summary>
    public static string Policies => string.Join(", ", Enum.GetValues<RangePolicyKind>().Select(RangePolicyNames.Name));

    /// <summary>A registered quantizer that codes to a range, by its registered name.</summary>
    public static string RangedQuantizer(string name, string option)
    {
        var registration = QuantizerRegistry.Find(name);
        return registration.Capabilities.NeedsRange ? registration.Name : throw new DiffQuantException($"{option} must be a ranged quantizer ({Ranged}), got '{name}'.");
    }

    /// <summary>`--ranges`: a comma-separated list of range policies.</summary>
    public static Option<string> RangesOption(string description, IEnumerable<RangePolicyKind> defaults)
    {
        var option = new Option<string>("--ranges") { Description = $"{description}: {Policies}.", DefaultValueFactory = _ => string.Join(",", defaults.Select(RangePolicyNames.Name)) };
        option.Checked(OptionChecks.EachItem(RangePolicyNames.Parse));
        return option;
    }

    public static IReadOnlyList<RangePolicyKind> ParseRanges(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(RangePolicyNames.Parse).Distinct()];
}
