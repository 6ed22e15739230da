using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;

namespace DiffQuant.Tests;

public class EvaluatorTests
{
    /// <summary>The gap is ½‖A(x̂ − x*)‖² for least squares, also where f(x̂) − f(x*) cancels to nothing.</summary>
    [Fact]
    public void Loss_gap_of_least_squares_is_exact_without_cancellation()
    {
        var problem = TestData.SmallGaussian();
        var a = problem.Data!.A;
        var evaluator = new ObjectiveEvaluator(problem.Objective, problem.Solution);
        foreach (var scale in new[] { 1.0, 1e-3, 1e-9 })
        {
            var direction = TestData.InitialPoint(problem.Dimension);
            var x = problem.Solution!.Zip(direction, (s, d) => s + (scale * d)).ToArray();
            var ad = new double[a.Rows];
            a.Multiply(direction, ad);
            var expected = 0.5 * scale * scale * ad.Sum(v => v * v);
            var evaluation = evaluator.Evaluate(x);
            Assert.Equal(problem.Objective.Value(x), evaluation.Loss);
            Assert.True(Math.Abs(evaluation.LossGap!.Value - expected) <= 1e-6 * expected, $"gap {evaluation.LossGap} vs {expected} at scale {scale}");
        }

        Assert.Null(new ObjectiveEvaluator(problem.Objective).Evaluate(problem.Solution).LossGap);
    }

    [Fact]
    public void Runs_report_the_evaluation_of_their_final_iterate()
    {
        var problem = TestData.SmallGaussian();
        var config = new MethodConfig { Method = MethodSpec.Parse("dq-gd"), Quantizer = new QuantizerSpec("cube", 8), Dimension = problem.Dimension };
        var result = LocalRun.Execute(problem, config, TestData.InitialPoint(problem.Dimension), new StopRule { MaxIterations = 40 });
        var evaluation = result.Evaluation!.Value;
        Assert.Equal(problem.Objective.Value(result.Iterate), evaluation.Loss);
        Assert.InRange(evaluation.LossGap!.Value, 0, 1e-6);
        Assert.Null(evaluation.Accuracy);
    }
}
