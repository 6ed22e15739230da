namespace DiffQuant.Tests;

/// <summary>
/// The tests that start silos, Redis or `dq` processes run one class at a time: on two cores, several clusters probing
/// each other's liveness at once starve one another's membership into false suspicions.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealProcesses
{
    public const string Name = "real processes";
}
