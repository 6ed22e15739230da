using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace DiffQuant.Cli;

/// <summary>
/// Number options parsed with the invariant culture and no group separators, so "--rate 4,5" is an error
/// naming the option instead of silently meaning 45.
/// </summary>
internal static class CliNumbers
{
    public static Option<double> Double(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name) ?? defaultValue,
    };

    public static Option<double?> OptionalDouble(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => Parse(result, name),
    };

    /// <summary>Parses one number the way every option and data file does: invariant culture, no thousands separators.</summary>
    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static double? Parse(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not a number; write e.g. 4.5 or 1e-9 (a comma is not a decimal point or a separator).");
        return null;
    }
}
