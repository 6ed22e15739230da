using BenchmarkDotNet.Attributes;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Benchmarks;

/// <summary>
/// DQ-GD iterations on the default problem (Gaussian 1000 × 100, R = 6): downlink of x̂_t, the
/// worker's gradient, quantization and packing, the channel, the server's decode and update. Each
/// invocation runs a fresh session for <see cref="Rounds"/> iterations (about to 1e-12; the setup
/// exchange included), so the reported time is per iteration.
/// </summary>
[MemoryDiagnoser]
public class IterationBenchmarks
{
    private const int Rounds = 50;
    private Problem _problem = null!;
    private MethodConfig _config = null!;
    private double[] _initial = null!;

    [GlobalSetup]
    public void Setup()
    {
        _problem = GaussianEnsemble.Create(1000, 100, null, 1);
        _config = new MethodConfig { Method = MethodSpec.Parse("dq-gd"), Quantizer = new QuantizerSpec("cube", 6), Dimension = 100 };
        _initial = GaussianSource.Vector(100, 1, GaussianSource.Stream.InitialPoint);
    }

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void DqGdIteration()
    {
        var session = new Session(new GradientServer(_config, _initial), LocalRun.CreateWorker(_problem, _config), new Channel(600));
        session.Start();
        for (var t = 0; t < Rounds; t++)
        {
            session.Round();
        }
    }
}
