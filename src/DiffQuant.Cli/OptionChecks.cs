using System.CommandLine;

namespace DiffQuant.Cli;

/// <summary>
/// Validators that check an option's value while the command line is parsed, so every bad value is reported
/// as an error that names its option ("--rate: …"), whichever library check refuses it.
/// </summary>
internal static class OptionChecks
{
    /// <summary>Runs <paramref name="check"/> on the option's value; a <see cref="DiffQuantException"/> becomes a parse error naming the option.</summary>
    public static Option<T> Checked<T>(this Option<T> option, Action<T> check)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                // The value did not parse; its parser has reported that error already.
                return;
            }

            try
            {
                check(value);
            }
            catch (DiffQuantException e)
            {
                result.AddError($"{option.Name}: {e.Message}");
            }
        });
        return option;
    }

    /// <summary>A port to listen on, or 0 for any free one (what a status page prints once it listens).</summary>
    public static void PortOrAny(int port)
    {
        if (port is < 0 or > 65535)
        {
            throw new DiffQuantException($"must be a TCP port in 1..65535, or 0 for any free one, got {port}.");
        }
    }

    public static void Port(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new DiffQuantException($"must be a TCP port in 1..65535, got {port}.");
        }
    }

    public static void Positive(int value)
    {
        if (value <= 0)
        {
            throw new DiffQuantException($"must be positive, got {value}.");
        }
    }

    public static void NonNegative(long? value)
    {
        if (value is < 0)
        {
            throw new DiffQuantException($"must be non-negative, got {value}.");
        }
    }

    public static void PositiveFinite(double? value)
    {
        if (value is { } v && (!(v > 0) || !double.IsFinite(v)))
        {
            throw new DiffQuantException($"must be a positive finite number, got {v}.");
        }
    }

    /// <summary>A relative accuracy: in (0, 1), since a target of 1 or more is met before the first iteration.</summary>
    public static void OpenUnit(double? value)
    {
        if (value is { } v && !(v > 0 && v < 1))
        {
            throw new DiffQuantException($"must lie in (0, 1), got {v}.");
        }
    }

    /// <summary>Each comma-separated item passes <paramref name="parse"/>.</summary>
    public static Action<string?> EachItem<T>(Func<string, T> parse) => text =>
    {
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parse(item);
        }
    };
}
