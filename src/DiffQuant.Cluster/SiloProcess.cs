using System.Diagnostics;

namespace DiffQuant.Cluster;

/// <summary>Starts a server process (a silo, or Redis for tests) and waits for the line it prints once it is ready.</summary>
public static class SiloProcess
{
    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="arguments"/> and returns once a line of its standard output
    /// contains <paramref name="readyLine"/>; a clear error (with its standard error) when it exits first or takes longer
    /// than <paramref name="timeout"/>, and then it is killed. <paramref name="environment"/> sets (or, with null, removes)
    /// variables of its environment: how secrets reach it without appearing on its command line.
    /// </summary>
    public static async Task<Process> Start(string program, IReadOnlyList<string> arguments, string readyLine, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DiffQuantException($"could not start '{program}'.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DiffQuantException($"could not start '{program}': {e.Message}");
        }

        var errors = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(wait.Token) is { } line)
            {
                if (line.Contains(readyLine, StringComparison.Ordinal))
                {
                    // Keep draining its output so that a chatty process never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return process;
                }
            }

            await process.WaitForExitAsync(wait.Token);
            throw new DiffQuantException($"'{program} {string.Join(' ', arguments)}' exited with code {process.ExitCode} before it was ready: {(await errors).Trim()}");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new DiffQuantException($"'{program} {string.Join(' ', arguments)}' was not ready within {timeout.TotalSeconds:F0} s.");
        }
        catch (DiffQuantException)
        {
            process.Dispose();
            throw;
        }
    }
}
