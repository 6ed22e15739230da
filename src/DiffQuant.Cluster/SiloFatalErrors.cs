namespace DiffQuant.Cluster;

/// <summary>
/// What a `dq silo` does when Orleans declares a fatal error (typically: the cluster voted this silo dead, e.g. because
/// the others refused its certificate or lost it): one line on standard error saying so, and exit code 2, instead of
/// Orleans' default abort with a stack trace. The process ends either way; a silo the cluster declared dead cannot stay.
/// </summary>
public sealed class SiloFatalErrors : IFatalErrorHandler
{
    /// <summary>The exit code of a silo the cluster stopped (the CLI's code for errors).</summary>
    public const int ExitCode = 2;

    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        Console.Error.WriteLine($"error: this silo must stop: {context ?? exception?.Message ?? "Orleans reported a fatal error"}");
        Console.Error.Flush();
        Environment.Exit(ExitCode);
    }
}
