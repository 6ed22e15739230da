namespace DiffQuant.Methods;

/// <summary>
/// How the server applies the workers' messages. Synchronous: one update per round, after all K gradients of
/// that round arrived. Asynchronous: one update per message, as it arrives, from a gradient computed at a
/// model version at most <see cref="MaxStaleness"/> updates old (τ); a staler one is refused.
/// </summary>
public readonly record struct ServerMode(bool Asynchronous, int MaxStaleness)
{
    public static ServerMode Synchronous => new(false, 0);

    public static ServerMode Async(int maxStaleness) => new(true, maxStaleness);

    public string Name => Asynchronous ? $"async (τ = {MaxStaleness})" : "sync";
}
