using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Transport;

namespace DiffQuant.Running;

/// <summary>One worker and one server in this process, wired through a measuring channel.</summary>
public static class LocalRun
{
    /// <summary>
    /// Runs <paramref name="config"/> on <paramref name="problem"/> from <paramref name="initialIterate"/>.
    /// D is <paramref name="distanceBound"/> when given, else ‖x̂_0 − x*‖ from the problem's solution.
    /// </summary>
    public static RunResult Execute(Problem problem, MethodConfig config, ReadOnlySpan<double> initialIterate, StopRule stop, double? distanceBound = null, Action<int, double>? progress = null)
    {
        var worker = CreateWorker(problem, config, distanceBound);
        var server = new GradientServer(config, initialIterate);
        var referee = problem.Solution is null ? null : new AccuracyReferee(problem.Solution, initialIterate);
        var channel = new Channel(config.Quantizer.Create(config.Dimension).BudgetBits);
        return new Session(server, worker, channel).Run(stop, referee, progress);
    }

    /// <summary>The worker for <paramref name="problem"/>, which computes D from x̂_0 as <see cref="Execute"/> describes.</summary>
    public static GradientWorker CreateWorker(Problem problem, MethodConfig config, double? distanceBound = null)
    {
        if (distanceBound is { } given)
        {
            Guard.Positive(given, "D (the bound on ‖x̂_0 − x*‖)");
        }
        else if (problem.Solution is null)
        {
            Guard.Throw($"problem '{problem.Name}' has no known solution: give D, a bound on ‖x̂_0 − x*‖.");
        }

        var solution = problem.Solution;
        return new GradientWorker(config, problem.Objective, problem.L, problem.Mu, x0 => distanceBound ?? Distance(x0, solution!));
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }
}
