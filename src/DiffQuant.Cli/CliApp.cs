using System.CommandLine;

namespace DiffQuant.Cli;

/// <summary>The dq command line: parses, runs one command, turns failures into messages and exit codes.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input or a refused request.</summary>
    public const int InputError = 2;

    /// <summary>Exit code for an unexpected failure (a bug): reported without a stack trace unless DQ_DEBUG is set.</summary>
    public const int InternalError = 3;

    /// <summary>What starts every line that reports bad input.</summary>
    public const string ErrorPrefix = "error: ";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("dq — differentially quantized gradient methods over a rate-limited channel.")
        {
            RunCommand.Create(output, error),
            BoundsCommand.Create(output, error),
            Figure3Command.Create(output, error),
            BitsCommand.Create(output, error),
            QuantizersCommand.Create(output, error),
            DemoCommand.Create(output, error),
            TrainCommand.Create(output, error),
            SiloCommand.Create(output, error),
            StatusCommand.Create(output, error),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.CommandResult.Command != root)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine($"{ErrorPrefix}{problem.Message}");
            }

            return InputError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>A Spectre console on <paramref name="output"/>, 120 columns wide when not a terminal.</summary>
    public static Spectre.Console.IAnsiConsole Console(TextWriter output)
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        if (!ReferenceEquals(output, System.Console.Out) || System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 120;
        }

        return console;
    }

    /// <summary>Runs a command body, mapping <see cref="DiffQuantException"/> to a message and exit code 2.</summary>
    public static int Guarded(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (DiffQuantException e)
        {
            error.WriteLine($"{ErrorPrefix}{e.Message}");
            return InputError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DQ_DEBUG") is null)
        {
            error.WriteLine($"internal error ({e.GetType().Name}): {e.Message}. Set DQ_DEBUG=1 for details.");
            return InternalError;
        }
    }
}
