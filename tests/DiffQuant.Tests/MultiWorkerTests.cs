using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;

namespace DiffQuant.Tests;

/// <summary>K workers through one protocol: sharding, shifts, rate allocation and the asynchronous server.</summary>
public class MultiWorkerTests
{
    private static MethodConfig Config(string method, double rate, int n, int workers, string range = "worst-case") => new()
    {
        Method = MethodSpec.Parse(method),
        Quantizer = MethodSpec.Parse(method).Compensation.Quantizes ? QuantizerSpec.Parse("cube", rate) : QuantizerSpec.Float64,
        Dimension = n,
        Workers = workers,
        Range = RangePolicyNames.Parse(range),
    };

    [Fact]
    public void Shards_sum_to_the_whole_objective()
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), 3);
        var x = TestData.InitialPoint(problem.Dimension);
        var whole = new double[x.Length];
        problem.Objective.Gradient(x, whole);
        var sum = new double[x.Length];
        foreach (var shard in problem.ShardsFor(3))
        {
            var part = new double[x.Length];
            shard.Objective.Gradient(x, part);
            for (var i = 0; i < x.Length; i++)
            {
                sum[i] += part[i];
            }

            Assert.InRange(shard.Mu, 0, shard.L);
        }

        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(whole[i], sum[i], 9);
        }
    }

    [Theory]
    [InlineData("gd", 64, "worst-case")]
    [InlineData("nq-gd", 8, "worst-case")]
    [InlineData("dq-gd", 8, "worst-case")]
    [InlineData("ef-gd", 8, "worst-case")]
    [InlineData("dq-gd", 6, "adaptive")]
    public void Three_workers_converge_without_overloads_under_guaranteed_ranges(string method, double rate, string range)
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), 3);
        var config = Config(method, rate, problem.Dimension, 3, range);
        var result = LocalRun.Execute(problem, config, TestData.InitialPoint(problem.Dimension), new StopRule { TargetRelativeError = 1e-8, MaxIterations = 2000 });
        Assert.Equal(ExitReason.TargetReached, result.ExitReason);
        if (range == "worst-case")
        {
            Assert.Equal(0, result.Overloads);
        }

        Assert.Equal(3, result.Links.Count);
        Assert.Equal(result.UplinkBits, result.Links.Sum(l => l.Uplink.TotalBits));
        Assert.All(result.Links, l => Assert.Equal(3L * SetupMessage.Bits / 3, l.Uplink.SetupBits));
    }

    /// <summary>
    /// Shards too thin to be strongly convex (every μ_k = 0) give the server no curvature bound: it steps at
    /// η = 1/Σ L_k, which still converges on the strongly convex whole.
    /// </summary>
    [Theory]
    [InlineData("gd")]
    [InlineData("nq-gd")]
    public void Workers_without_strong_convexity_still_converge(string method)
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(m: 30, n: 12), 3);
        Assert.All(problem.ShardsFor(3), shard => Assert.Equal(0, shard.Mu));
        var result = LocalRun.Execute(problem, Config(method, 12, problem.Dimension, 3), TestData.InitialPoint(problem.Dimension), new StopRule { MaxIterations = 3000, TargetRelativeError = 1e-6 });
        Assert.Equal(ExitReason.TargetReached, result.ExitReason);
        Assert.Equal(0, result.Overloads);
    }

    [Fact]
    public void Lipschitz_allocation_keeps_the_total_budget_and_gives_more_bits_to_larger_L()
    {
        var rates = RateAllocation.Allocate(RateAllocationKind.Lipschitz, 4, [1, 4, 16]);
        Assert.True(rates.Sum() <= 12 + 1e-9);
        Assert.True(rates.Sum() >= 12 - 1e-6);
        Assert.Equal(2, rates[1] - rates[0], 6);
        Assert.Equal(2, rates[2] - rates[1], 6);
        var mild = RateAllocation.Allocate(RateAllocationKind.Lipschitz, 3, [1, 2, 64]);
        Assert.Equal(6, mild[2] - mild[0], 6);
        Assert.Contains("no bits", Assert.Throws<DiffQuantException>(() => RateAllocation.Allocate(RateAllocationKind.Lipschitz, 0.5, [1, 1e9])).Message);

        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), 3);
        var config = Config("nq-gd", 6, problem.Dimension, 3) with { Allocation = RateAllocationKind.Lipschitz };
        var result = LocalRun.Execute(problem, config, TestData.InitialPoint(problem.Dimension), new StopRule { MaxIterations = 10 });
        Assert.True(result.Links.Sum(l => l.UplinkBudgetBits) <= 3 * BitAllocation.Budget(problem.Dimension, 6));
    }

    [Fact]
    public void The_asynchronous_server_applies_each_message_and_refuses_one_staler_than_tau()
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), 2);
        var config = Config("dq-gd", 8, problem.Dimension, 2, "adaptive") with { Mode = ServerMode.Async(2) };
        var x0 = TestData.InitialPoint(problem.Dimension);
        var roundRobin = LocalRun.Execute(problem, config, x0, new StopRule { TargetRelativeError = 1e-6, MaxIterations = 5000 });
        Assert.Equal(ExitReason.TargetReached, roundRobin.ExitReason);

        // Worker 0 arrives three times while worker 1's first gradient (version 0) waits: staleness 3 > τ = 2.
        var session = LocalRun.CreateSession(problem, config, x0, schedule: ArrivalSchedule.Sequence(0, 0, 0, 1));
        session.Start();
        for (var i = 0; i < 3; i++)
        {
            session.Round();
        }

        var error = Assert.Throws<DiffQuantException>(session.Round);
        Assert.Contains("3 updates stale, more than the bound τ = 2", error.Message);
    }

    [Fact]
    public void The_shard_assignment_of_a_file_is_used_and_checked()
    {
        var whole = TestData.SmallGaussian();
        var assignment = Enumerable.Range(0, whole.Rows).Select(i => i % 2).ToArray();
        var split = LeastSquaresShards.Split(whole, 2, assignment);
        Assert.Equal(whole.Rows / 2, split.ShardsFor(2)[0].Rows);
        Assert.Throws<DiffQuantException>(() => LeastSquaresShards.Split(whole, 2, [.. assignment.Select(_ => 0)]));
        Assert.Throws<DiffQuantException>(() => LeastSquaresShards.Split(whole, 2, [1, 0]));
    }
}
