namespace DiffQuant.Methods;

/// <summary>What the server sends its workers each round.</summary>
public enum DownlinkContent
{
    /// <summary>The iterate x̂_t in the downlink codec (binary64 or binary32): n·64 or n·32 bits a worker a round.</summary>
    Iterate,

    /// <summary>
    /// The other workers' messages of the round, relayed as they arrived (each body after its length): every worker
    /// keeps a replica of the server and applies all K messages itself, so it holds x̂_t exactly. (K − 1) messages of
    /// about n·R bits a worker a round instead of n·64; nothing at all with one worker. Synchronous rounds only.
    /// </summary>
    Relay,
}
