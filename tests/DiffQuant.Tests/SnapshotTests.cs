using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;

namespace DiffQuant.Tests;

/// <summary>A run interrupted, saved and restored into fresh objects continues bit for bit.</summary>
public class SnapshotTests
{
    /// <summary>Method, workers, range, asynchronous, relay downlink.</summary>
    public static TheoryData<string, int, string, bool, bool> Cases => new()
    {
        { "gd", 1, "worst-case", false, false },
        { "nq-gd", 1, "paper", false, false },
        { "dq-gd", 1, "worst-case", false, false },
        { "nq-agd", 1, "worst-case", false, false },
        { "dq-agd", 1, "worst-case", false, false },
        { "nq-hb", 1, "worst-case", false, false },
        { "dq-hb", 1, "worst-case", false, false },
        { "ef-gd", 1, "adaptive", false, false },
        { "dq-gd", 3, "worst-case", false, false },
        { "nq-gd", 3, "adaptive", false, false },
        { "ef-gd", 3, "worst-case", false, false },
        { "dq-gd", 3, "adaptive", true, false },
        { "dq-hb", 1, "worst-case", false, true },
        { "dq-gd", 3, "worst-case", false, true },
    };

    private static (Problem Problem, MethodConfig Config, double[] X0) Setup(string method, int workers, string range, bool asynchronous, bool relay = false, string quantizer = "dithered", double? rate = null)
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), workers);
        var spec = MethodSpec.Parse(method);
        var config = new MethodConfig
        {
            Method = spec,
            Quantizer = spec.Compensation.Quantizes ? QuantizerSpec.Parse(quantizer, rate ?? (quantizer == "dithered" ? 5.5 : 2), 3) : QuantizerSpec.Float64,
            Dimension = problem.Dimension,
            Workers = workers,
            Range = RangePolicyNames.Parse(range),
            Mode = asynchronous ? ServerMode.Async(workers) : ServerMode.Synchronous,
            DownlinkContent = relay ? DownlinkContent.Relay : DownlinkContent.Iterate,
        };
        return (problem, config, TestData.InitialPoint(problem.Dimension));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_restored_run_continues_bit_identically(string method, int workers, string range, bool asynchronous, bool relay) =>
        AssertRestoredRunContinues(Setup(method, workers, range, asynchronous, relay));

    /// <summary>The entropy-coded codes name each step by its change from the link's last ones: the history travels in the snapshot.</summary>
    [Theory]
    [InlineData("dq-hb", "rotated-ec", 1, false)]
    [InlineData("dq-hb", "rotated-tcq", 1, false)]
    [InlineData("dq-gd", "rotated-ec", 3, true)]
    [InlineData("dqm-hb", "rotated-tcq", 1, false)]
    [InlineData("dqm-agd", "rotated-ec", 1, false)]
    public void A_restored_run_continues_bit_identically_with_the_step_history(string method, string quantizer, int workers, bool asynchronous) =>
        AssertRestoredRunContinues(Setup(method, workers, "adaptive", asynchronous, quantizer: quantizer));

    /// <summary>A ramp's rate depends on the link's message count, which travels in the snapshot (taken mid-ramp here).</summary>
    [Theory]
    [InlineData("dqm-hb", "rotated-tcq", 1, false)]
    [InlineData("dq-gd", "rotated", 3, true)]
    public void A_restored_run_continues_bit_identically_on_a_ramp(string method, string quantizer, int workers, bool relay)
    {
        var setup = Setup(method, workers, "adaptive", asynchronous: false, relay, quantizer, rate: 3);
        AssertRestoredRunContinues(setup with { Config = setup.Config with { Ramp = new RateRamp(1) } });
    }

    private static void AssertRestoredRunContinues((Problem Problem, MethodConfig Config, double[] X0) setup)
    {
        var (problem, config, x0) = setup;
        var whole = LocalRun.CreateSession(problem, config, x0);
        var uninterrupted = whole.Run(new StopRule { MaxIterations = 30 }, null);

        var first = LocalRun.CreateSession(problem, config, x0);
        first.Run(new StopRule { MaxIterations = 13 }, null);
        var snapshot = first.Snapshot();
        var resumed = LocalRun.CreateSession(problem, config, x0);
        resumed.Restore(snapshot);
        var continued = resumed.Run(new StopRule { MaxIterations = 30 }, null);

        Assert.True(uninterrupted.Iterations > 13, $"the run ended at {uninterrupted.Iterations} iterations, before the snapshot");
        Assert.Equal((uninterrupted.ExitReason, uninterrupted.Iterations), (continued.ExitReason, continued.Iterations));
        Assert.Equal(uninterrupted.Iterate.Select(BitConverter.DoubleToInt64Bits), continued.Iterate.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(uninterrupted.UplinkBits, continued.UplinkBits);
        Assert.Equal(uninterrupted.DownlinkBits, continued.DownlinkBits);
        Assert.Equal(uninterrupted.FramingBits, continued.FramingBits);
        Assert.Equal(uninterrupted.Overloads, continued.Overloads);
    }

    [Fact]
    public void A_corrupt_truncated_or_foreign_snapshot_is_refused()
    {
        var (problem, config, x0) = Setup("dq-gd", 3, "worst-case", false);
        var session = LocalRun.CreateSession(problem, config, x0);
        session.Run(new StopRule { MaxIterations = 5 }, null);
        var snapshot = session.Snapshot();

        var flipped = snapshot.ToArray();
        flipped[flipped.Length / 2] ^= 0x10;
        Assert.Contains("corrupt", Assert.Throws<DiffQuantException>(() => LocalRun.CreateSession(problem, config, x0).Restore(flipped)).Message);
        Assert.Contains("snapshot", Assert.Throws<DiffQuantException>(() => LocalRun.CreateSession(problem, config, x0).Restore(snapshot.AsSpan(0, snapshot.Length - 9))).Message);
        Assert.Contains("truncated", Assert.Throws<DiffQuantException>(() => LocalRun.CreateSession(problem, config, x0).Restore(snapshot.AsSpan(0, 10))).Message);
        var worker = LocalRun.CreateWorker(problem.ShardsFor(3)[0], config, 0);
        Assert.Contains("expected a worker snapshot", Assert.Throws<DiffQuantException>(() => worker.Restore(snapshot)).Message);
        var other = Setup("nq-gd", 3, "worst-case", false);
        Assert.Contains("the method", Assert.Throws<DiffQuantException>(() => LocalRun.CreateSession(other.Problem, other.Config, other.X0).Restore(snapshot)).Message);
    }
}
