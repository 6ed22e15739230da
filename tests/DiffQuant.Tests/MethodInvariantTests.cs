using System.Numerics.Tensors;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

/// <summary>DQ's defining property: x̂_t = x_t − η e_{t−1}, with x_t the exact unquantized trajectory.</summary>
public class MethodInvariantTests
{
    public static TheoryData<string, string, double> Cases()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var method in new[] { "dq-gd", "dq-hb", "dq-agd" })
        {
            foreach (var problem in new[] { "gaussian", "quadratic", "ash958" })
            {
                foreach (var rate in new[] { 2.0, 3.5, 8.0 })
                {
                    data.Add(method, problem, rate);
                }
            }
        }

        return data;
    }

    private static Problem ProblemNamed(string name) => name switch
    {
        "gaussian" => TestData.SmallGaussian(),
        "quadratic" => QuadraticProblem.Create(30, 1, 50, seed: 4),
        _ => LeastSquaresProblem.Create("ash958", MatrixMarketReader.Read(TestData.Ash958Path), GaussianSource.Vector(958, 2, GaussianSource.Stream.Target)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dq_iterates_follow_the_unquantized_trajectory(string methodName, string problemName, double rate)
    {
        var problem = ProblemNamed(problemName);
        var n = problem.Dimension;
        var method = MethodSpec.Parse(methodName);
        var config = new MethodConfig { Method = method, Quantizer = new QuantizerSpec("cube", rate), Dimension = n };
        var x0 = TestData.InitialPoint(n);
        var worker = LocalRun.CreateWorker(problem, config);
        var server = new GradientServer(config, x0);
        var session = new Session(server, [worker], [new Link(0, config.Quantizer.Create(n).BudgetBits, SetupMessage.Bits)]);
        session.Start();
        var (eta, gamma, _) = server.Tuning!.Value;

        var exact = x0.ToArray();
        var exactPrevious = x0.ToArray();
        var point = new double[n];
        var gradient = new double[n];
        var expected = new double[n];
        var referee = new AccuracyReferee(problem.Solution!, x0);

        // Forty rounds, or fewer once the iterate is within 1e-11 of x*: below that the ranges shrink
        // under the gradient's own rounding noise and overloads would measure arithmetic, not the schedule.
        for (var t = 0; t < 40 && referee.RelativeError(server.Iterate) > 1e-11; t++)
        {
            session.Round();

            // Exact step of the unquantized method.
            if (method.Momentum == Momentum.Nesterov)
            {
                TensorPrimitives.Subtract(exact, exactPrevious, point);
                TensorPrimitives.MultiplyAdd(point, gamma, exact, point);
            }
            else
            {
                exact.CopyTo(point, 0);
            }

            problem.Objective.Gradient(point, gradient);
            var next = new double[n];
            for (var i = 0; i < n; i++)
            {
                var heavyBall = method.Momentum == Momentum.HeavyBall ? gamma * (exact[i] - exactPrevious[i]) : 0;
                next[i] = point[i] - (eta * gradient[i]) + heavyBall;
            }

            exact.CopyTo(exactPrevious, 0);
            next.CopyTo(exact, 0);

            // x̂_{t+1} = x_{t+1} − η e_t
            TensorPrimitives.MultiplyAdd(worker.LastError, -eta, exact, expected);
            var scale = TestData.Norm(exact) + (eta * TestData.Norm(worker.LastError)) + 1;
            var gap = TestData.Norm(expected.Zip(server.Iterate.ToArray(), (a, b) => a - b).ToArray());
            Assert.True(gap <= 1e-10 * scale, $"t = {t + 1}: ‖x̂ − (x − η e)‖ = {gap:E3} (scale {scale:E3})");
        }

        Assert.Equal(0, worker.Overloads);
    }
}
