using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;

namespace DiffQuant.Tests;

/// <summary>DQM: the gradient on the unquantized trajectory with only the last error subtracted, the server trailing by −η·D_t.</summary>
public class MomentumFilteredTests
{
    private static RunResult Run(Problem problem, double[] x0, string method, string quantizer, double rate, StopRule stop) => LocalRun.Execute(
        problem,
        new MethodConfig { Method = MethodSpec.Parse(method), Quantizer = QuantizerSpec.Parse(quantizer, rate, 7), Dimension = problem.Dimension, Range = RangePolicyKind.Adaptive },
        x0,
        stop,
        evaluate: false);

    /// <summary>With γ = 0 the filtered memory is the last error: dqm-gd sends the same bits and lands on the same iterate as dq-gd.</summary>
    [Fact]
    public void Without_momentum_it_is_dq()
    {
        var problem = TestData.SmallGaussian();
        var x0 = TestData.InitialPoint(problem.Dimension);
        var stop = new StopRule { MaxIterations = 40 };
        foreach (var quantizer in new[] { "rotated-tcq", "cube" })
        {
            var (dq, dqm) = (Run(problem, x0, "dq-gd", quantizer, 3, stop), Run(problem, x0, "dqm-gd", quantizer, 3, stop));
            Assert.Equal(dq.Iterate.Select(BitConverter.DoubleToInt64Bits), dqm.Iterate.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(dq.UplinkBits, dqm.UplinkBits);
        }
    }

    /// <summary>
    /// The server's iterate trails the unquantized trajectory by a bounded filtered error, so at a fine rate dqm-hb and
    /// dqm-agd contract at the unquantized method's σ (tail rate within 3%).
    /// </summary>
    [Theory]
    [InlineData("dqm-hb", "hb")]
    [InlineData("dqm-agd", "agd")]
    public void At_a_fine_rate_it_contracts_at_the_unquantized_rate(string method, string plain)
    {
        var problem = GaussianEnsemble.Create(1000, 100, null, 2);
        var x0 = TestData.InitialPoint(100, 2);
        var stop = new StopRule { TargetRelativeError = 1e-9, MaxIterations = 500 };
        var quantized = Run(problem, x0, method, "rotated-ec", 8, stop);
        var reference = LocalRun.Execute(problem, new MethodConfig { Method = MethodSpec.Parse(plain), Quantizer = QuantizerSpec.Float64, Dimension = 100 }, x0, stop, evaluate: false);
        Assert.Equal(ExitReason.TargetReached, quantized.ExitReason);
        Assert.InRange(quantized.TailRate, 0, 1.03 * reference.TailRate);
        Assert.InRange(quantized.Iterations, reference.Iterations, reference.Iterations + 1);
    }

    /// <summary>
    /// Where the code's error sets the pace (rotated-tcq at 1 to 1.5 bits a coordinate) DQM needs fewer iterations and
    /// bits to 1e-9 than DQ with the same momentum: DQ's input carries (1+γ)e_{t−1} − γe_{t−2}, DQM's only e_{t−1}.
    /// HB at κ = 10 (γ ≈ 0.27), AGD on the ensemble's own κ ≈ 3.6 (γ ≈ 0.31; at κ = 10 AGD's σ sets the pace).
    /// </summary>
    [Theory]
    [InlineData("hb", 1, 10.0)]
    [InlineData("agd", 1.5, null)]
    public void Where_the_code_sets_the_pace_it_needs_fewer_bits_than_dq(string rule, double rate, double? kappa)
    {
        var problem = GaussianEnsemble.Create(1000, 100, kappa, 4);
        var x0 = TestData.InitialPoint(100, 4);
        var stop = new StopRule { TargetRelativeError = 1e-9, MaxIterations = 500 };
        var (dq, dqm) = (Run(problem, x0, $"dq-{rule}", "rotated-tcq", rate, stop), Run(problem, x0, $"dqm-{rule}", "rotated-tcq", rate, stop));
        Assert.Equal((ExitReason.TargetReached, ExitReason.TargetReached), (dq.ExitReason, dqm.ExitReason));
        Assert.True(dqm.UplinkBits < dq.UplinkBits, $"dqm-{rule}: {dqm.UplinkBits} bits ({dqm.Iterations} iterations) vs dq-{rule}: {dq.UplinkBits} ({dq.Iterations})");
    }

    /// <summary>Its memory sums every past error, so no worst-case schedule of two past ranges bounds its input: refused.</summary>
    [Fact]
    public void A_worst_case_range_is_refused_with_one_worker()
    {
        var config = new MethodConfig { Method = MethodSpec.Parse("dqm-hb"), Quantizer = QuantizerSpec.Parse("cube", 6, 7), Dimension = 20, Range = RangePolicyKind.WorstCase };
        var problem = TestData.SmallGaussian();
        var message = Assert.Throws<DiffQuantException>(() => LocalRun.Execute(problem, config, TestData.InitialPoint(20), new StopRule { MaxIterations = 5 })).Message;
        Assert.Contains("no one-worker schedule for dqm-hb", message);
    }
}
