namespace DiffQuant.Cluster;

/// <summary>
/// What a `dq silo` does when Orleans declares a fatal error (typically: the cluster voted this silo dead, e.g. because
/// the others refused its certificate): it records why and stops the silo, which then fails with that reason as one
/// error line, instead of Orleans' default abort with a stack trace. Should the stop not finish, the process exits
/// anyway after <see cref="SiloSettings.StopTimeout"/>: a silo the cluster declared dead cannot stay.
/// </summary>
public sealed class SiloFatalErrors : IFatalErrorHandler, IDisposable
{
    private readonly CancellationTokenSource _stopped = new();
    private Timer? _deadline;

    /// <summary>Why the silo must stop; null while it may run.</summary>
    public string? Reason { get; private set; }

    /// <summary>Cancelled when a fatal error arrives.</summary>
    public CancellationToken Stopped => _stopped.Token;

    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        Reason ??= context ?? exception?.Message ?? "Orleans reported a fatal error";
        _deadline ??= new Timer(_ => Exit(), null, SiloSettings.StopTimeout * 2, Timeout.InfiniteTimeSpan);
        _stopped.Cancel();
    }

    public void Dispose()
    {
        _deadline?.Dispose();
        _stopped.Dispose();
    }

    private void Exit()
    {
        Console.Error.WriteLine($"error: this silo must stop: {Reason}");
        Environment.Exit(2);
    }
}
