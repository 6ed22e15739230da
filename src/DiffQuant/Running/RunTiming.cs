namespace DiffQuant.Running;

/// <summary>
/// Where a run's wall time went, in seconds: the setup exchange, the rounds, and within them the server's handling
/// (decoding, updating, encoding downlinks) and the workers' answers as the session waited for them (for workers
/// elsewhere: their compute plus the transport). Worker seconds add up over workers answering at once, so they can
/// exceed the rounds' wall time.
/// </summary>
public readonly record struct RunTiming(double SetupSeconds, double RoundSeconds, double ServerSeconds, double WorkerSeconds);
