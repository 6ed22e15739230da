namespace DiffQuant.Cluster;

/// <summary>
/// A silo's status page: the port it listens on (at the silo's own address) and the bearer token it requires, if any
/// (kept out of <see cref="ToString"/> so that it is never logged).
/// </summary>
public readonly record struct StatusPageSettings(int Port, string? Token)
{
    /// <summary>The environment variable a token is read from, so that it never appears on a command line.</summary>
    public const string TokenVariable = "DQ_STATUS_TOKEN";

    public override string ToString() => $"status page on port {Port}{(Token is null ? string.Empty : " (bearer token required)")}";
}
