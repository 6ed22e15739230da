namespace DiffQuant.Transport;

/// <summary>What a message is; the first field of every <see cref="Envelope"/>.</summary>
public enum MessageKind : byte
{
    /// <summary>Server → worker, once: x̂_0 (version 0). Setup.</summary>
    Opening = 1,

    /// <summary>Worker → server, once: what the server may know of the worker's problem. Setup.</summary>
    Setup = 2,

    /// <summary>Server → worker, once: start; its body carries the worker's rate when rates are allocated. Setup.</summary>
    Go = 3,

    /// <summary>Server → worker: the iterate x̂_t; the version is t.</summary>
    Iterate = 4,

    /// <summary>
    /// Worker → server in a synchronous round: a quantized gradient computed at the iterate of the version it
    /// carries, which the server checks against its own round (framing).
    /// </summary>
    Gradient = 5,

    /// <summary>
    /// Worker → server in the asynchronous mode: a quantized gradient computed at the model version it carries.
    /// The server cannot know that version (other workers moved the model meanwhile), so it is information.
    /// </summary>
    AsyncGradient = 6,

    /// <summary>Server → worker at an epoch's start (variance-reduced methods): the snapshot x̃; the version is the epoch.</summary>
    Snapshot = 7,

    /// <summary>Worker → server in answer to a snapshot: the full gradient of its shard at x̃; the version is the epoch.</summary>
    FullGradient = 8,
}

/// <summary>Facts of the wire format about each kind, read alike by the link that meters and the receiver.</summary>
public static class MessageKinds
{
    /// <summary>Whether <paramref name="kind"/> is a defined kind.</summary>
    public static bool IsDefined(MessageKind kind) => kind is >= MessageKind.Opening and <= MessageKind.FullGradient;

    /// <summary>One-time messages, counted as setup bits.</summary>
    public static bool IsSetup(MessageKind kind) => kind is MessageKind.Opening or MessageKind.Setup or MessageKind.Go;

    /// <summary>Kinds whose version field the receiver could not know: it counts as information, not framing.</summary>
    public static bool VersionIsInformation(MessageKind kind) => kind == MessageKind.AsyncGradient;

    /// <summary>Kinds sent from a worker to the server.</summary>
    public static bool IsUplink(MessageKind kind) => kind is MessageKind.Setup or MessageKind.Gradient or MessageKind.AsyncGradient or MessageKind.FullGradient;
}
