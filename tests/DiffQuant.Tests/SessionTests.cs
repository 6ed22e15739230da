using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;

namespace DiffQuant.Tests;

public class SessionTests
{
    private static RunResult Run(string method, double rate, StopRule stop, string quantizer = "cube")
    {
        var problem = TestData.SmallGaussian();
        var config = new MethodConfig { Method = MethodSpec.Parse(method), Quantizer = QuantizerSpec.Parse(quantizer, rate), Dimension = problem.Dimension };
        return LocalRun.Execute(problem, config, TestData.InitialPoint(problem.Dimension), stop);
    }

    [Fact]
    public void Bit_budget_stops_before_a_message_would_exceed_it()
    {
        var budget = SetupMessage.Bits + (10 * 20 * 4) + 50;
        var result = Run("dq-gd", 4, new StopRule { MaxUplinkBits = budget });
        Assert.Equal(ExitReason.BitBudget, result.ExitReason);
        Assert.Equal(10, result.Iterations);
        Assert.True(result.UplinkBits <= budget);
    }

    [Fact]
    public void Iteration_budget_and_target_end_runs_with_their_reasons()
    {
        var budget = Run("dq-agd", 6, new StopRule { MaxIterations = 7 });
        Assert.Equal(ExitReason.IterationBudget, budget.ExitReason);
        Assert.Equal(7, budget.Iterations);
        Assert.Equal(8, budget.ErrorHistory.Length);

        var target = Run("dq-hb", 8, new StopRule { TargetRelativeError = 1e-6 });
        Assert.Equal(ExitReason.TargetReached, target.ExitReason);
        Assert.True(target.RelativeError <= 1e-6);
        Assert.True(target.ErrorHistory[^2] > 1e-6);
        Assert.Equal(Math.Pow(target.RelativeError, 1.0 / target.Iterations), target.EmpiricalRate, 12);
    }

    [Fact]
    public void A_run_that_cannot_improve_stalls_or_exhausts_its_range()
    {
        var stalled = Run("gd", 64, new StopRule { StallWindow = 5, MaxIterations = 5000 }, "float64");
        Assert.Equal(ExitReason.Stalled, stalled.ExitReason);
        Assert.True(stalled.RelativeError < 1e-12);

        // NQ's worst-case range and its iterate both grow until one overflows; on this instance NQ-AGD's range goes first.
        var exhausted = Run("nq-agd", 1, new StopRule { MaxIterations = 5000, DivergenceFactor = double.PositiveInfinity });
        Assert.Equal(ExitReason.RangeExhausted, exhausted.ExitReason);
        Assert.Equal(1, exhausted.EmpiricalRate);
    }

    [Fact]
    public void Accuracy_targets_need_a_known_solution()
    {
        var problem = TestData.SmallGaussian() with { Solution = null };
        var config = new MethodConfig { Method = MethodSpec.Parse("dq-gd"), Quantizer = new QuantizerSpec("cube", 4), Dimension = problem.Dimension };
        var x0 = TestData.InitialPoint(problem.Dimension);
        Assert.Throws<DiffQuantException>(() => LocalRun.Execute(problem, config, x0, new StopRule()));
        Assert.Throws<DiffQuantException>(() => LocalRun.Execute(problem, config, x0, new StopRule { TargetRelativeError = 1e-3 }, distanceBound: 100));
        var blind = LocalRun.Execute(problem, config, x0, new StopRule { MaxIterations = 5 }, distanceBound: 100);
        Assert.Equal(5, blind.Iterations);
        Assert.True(double.IsNaN(blind.RelativeError));
    }

    [Fact]
    public void A_diverging_iterate_ends_the_run_with_and_without_a_referee()
    {
        var problem = TestData.SmallGaussian();
        var config = new MethodConfig
        {
            Method = MethodSpec.Parse("gd"),
            Quantizer = QuantizerSpec.Parse("float64", 64),
            Dimension = problem.Dimension,
            StepSize = 10 / problem.L,
        };
        var x0 = TestData.InitialPoint(problem.Dimension);
        var refereed = LocalRun.Execute(problem, config, x0, new StopRule { MaxIterations = 5000 });
        var blind = LocalRun.Execute(problem with { Solution = null }, config, x0, new StopRule { MaxIterations = 5000 }, distanceBound: 100);
        Assert.Equal(ExitReason.Diverged, refereed.ExitReason);
        Assert.Equal(ExitReason.Diverged, blind.ExitReason);
        // The referee sees the error pass 1e8 long before a blind server sees a non-finite iterate.
        Assert.True(refereed.RelativeError > 1e8);
        Assert.True(refereed.Iterations < blind.Iterations);
        Assert.True(blind.Iterations < 5000);
    }
}
