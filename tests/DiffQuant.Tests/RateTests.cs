using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Theory;

namespace DiffQuant.Tests;

/// <summary>Measured contraction factors against closed forms, bounds and the converse.</summary>
public class RateTests
{
    private static RunResult Run(Problem problem, string method, QuantizerSpec quantizer, StopRule stop, long seed = 11) =>
        LocalRun.Execute(
            problem,
            new MethodConfig { Method = MethodSpec.Parse(method), Quantizer = quantizer, Dimension = problem.Dimension },
            TestData.InitialPoint(problem.Dimension, seed),
            stop);

    [Theory]
    [InlineData("gd", 10.0)]
    [InlineData("gd", 100.0)]
    [InlineData("hb", 10.0)]
    [InlineData("hb", 100.0)]
    [InlineData("agd", 10.0)]
    [InlineData("agd", 100.0)]
    public void Unquantized_methods_contract_at_their_closed_form_rate_on_quadratics(string method, double kappa)
    {
        var problem = QuadraticProblem.Create(50, 1, kappa, seed: 3);
        var momentum = MethodSpec.Parse(method).Momentum;
        var sigma = Bounds.Sigma(momentum, kappa);
        var iterations = (int)Math.Ceiling(Math.Log(1e-10) / Math.Log(sigma));
        var result = Run(problem, method, QuantizerSpec.Parse("float64", 64), new StopRule { MaxIterations = iterations });

        // HB and AGD have a double root at the spectrum's edge, e_t ~ (a + b t) σ^t, so over the
        // tail from T/2 to T their rate may exceed σ by the factor 2^(2/T) of the linear term.
        var tail = result.TailRate;
        var polynomial = momentum == Momentum.None ? 1 : Math.Pow(2, 2.0 / result.Iterations);
        Assert.InRange(tail, sigma * 0.98, sigma * polynomial * 1.005);
        Assert.Equal(sigma, Tuning.For(momentum, kappa, 1).Sigma, 12);
    }

    [Fact]
    public void Dq_gd_and_nq_gd_rates_lie_between_the_converse_and_their_bounds()
    {
        var failures = new List<string>();
        foreach (var seed in new long[] { 1, 2 })
        {
            var problem = GaussianEnsemble.Create(1000, 100, null, seed);
            var tuning = Tuning.For(Momentum.None, problem.L, problem.Mu);
            var stop = new StopRule { MaxIterations = 400, TargetRelativeError = 1e-12, StallWindow = 30 };

            // On one instance and a finite window the error's parts along the extreme eigenvectors can make even
            // unquantized GD's tail rate fall a few percent below σ_GD; the converse is held against that rate.
            var unquantized = Run(problem, "gd", QuantizerSpec.Parse("float64", 64), stop, seed).TailRate;
            for (var rate = 1; rate <= 12; rate++)
            {
                var quantizer = new QuantizerSpec("cube", rate);
                var epsilon = quantizer.Create(100).CoveringRadius(1);
                foreach (var method in new[] { "dq-gd", "nq-gd" })
                {
                    var result = Run(problem, method, quantizer, stop, seed);
                    var bound = Math.Min(1, Bounds.Guaranteed(MethodSpec.Parse(method), tuning, epsilon, problem.L, problem.Mu));
                    var converse = Bounds.Converse(Math.Min(tuning.Sigma, unquantized), rate);

                    // Bounds and converse are asymptotic rates: e_T ≤ C·bound^T with a constant C that the
                    // definitional (e_T)^(1/T) carries as C^(1/T) (up to 1.03 near the crossover σ = ρ2^−R,
                    // where C grows like 1/(1 − σ/ε)). The tail rate (e_T/e_{T/2})^(2/T) sheds most of it.
                    var tail = result.TailRate;
                    if (tail > bound * 1.01 || result.EmpiricalRate > bound * 1.05)
                    {
                        failures.Add($"{method} R={rate} seed={seed}: rates {result.EmpiricalRate:F4} (tail {tail:F4}) > bound {bound:F4}");
                    }

                    if (tail < converse * 0.97)
                    {
                        failures.Add($"{method} R={rate} seed={seed}: tail rate {tail:F4} < converse {converse:F4}");
                    }

                    Assert.Equal(0, result.Overloads);
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Dq_gd_reaches_sigma_gd_at_the_loss_free_threshold_and_nq_gd_does_not()
    {
        var problem = GaussianEnsemble.Create(1000, 100, null, 5);
        var sigma = Tuning.For(Momentum.None, problem.L, problem.Mu).Sigma;
        var threshold = (int)Math.Ceiling(Bounds.LossFreeThreshold(sigma, Math.Sqrt(100)));
        var stop = new StopRule { TargetRelativeError = 1e-12, MaxIterations = 2000 };
        var gd = Run(problem, "gd", QuantizerSpec.Parse("float64", 64), stop, 5);
        var dq = Run(problem, "dq-gd", new QuantizerSpec("cube", threshold), stop, 5);
        var nq = Run(problem, "nq-gd", new QuantizerSpec("cube", threshold), stop, 5);
        Assert.True(gd.EmpiricalRate <= sigma, $"GD {gd.EmpiricalRate:F4} vs σ {sigma:F4}");
        Assert.InRange(dq.EmpiricalRate, sigma * 0.97, sigma * 1.03);
        Assert.True(nq.EmpiricalRate > sigma * 1.1, $"NQ {nq.EmpiricalRate:F4} vs σ {sigma:F4}");
    }

    [Theory]
    [InlineData("dq-gd")]
    [InlineData("dq-hb")]
    [InlineData("dq-agd")]
    [InlineData("nq-gd")]
    [InlineData("nq-hb")]
    [InlineData("nq-agd")]
    public void Worst_case_ranges_never_overload(string method)
    {
        var problems = new[]
        {
            TestData.SmallGaussian(),
            TestData.SmallGaussian(seed: 12, kappa: 100),
            QuadraticProblem.Create(40, 1, 200, seed: 8),
        };
        foreach (var problem in problems)
        {
            foreach (var rate in new[] { 1.5, 3.0, 6.0, 10.0 })
            {
                foreach (var kind in new[] { "cube", "dithered" })
                {
                    var result = Run(problem, method, new QuantizerSpec(kind, rate, 3), new StopRule { MaxIterations = 300, TargetRelativeError = 1e-13 });
                    Assert.True(result.Overloads == 0, $"{problem.Name} R={rate} {kind}: {result.Overloads} overloads");
                }
            }
        }
    }
}
