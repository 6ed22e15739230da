using System.Diagnostics;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Theory;

namespace DiffQuant.Lab;

/// <summary>
/// Fig. 3 of the paper: empirical contraction factors of each method at each rate over many instances,
/// against the bounds and the converse. Plain methods do not depend on R and run once per instance.
/// </summary>
public static class Figure3Sweep
{
    public static Figure3Result Run(InstanceSource source, Figure3Options options, Action<int>? progress = null)
    {
        Validate(options);
        var stop = new StopRule { TargetRelativeError = options.Floor, StallWindow = options.StallWindow, MaxIterations = options.MaxIterations };
        var clock = Stopwatch.StartNew();
        var perInstance = InstanceSweep.Run(options.Instances, options.Seed, options.Threads, (index, seed) =>
        {
            var problem = source.Create(seed);
            var x0 = source.InitialIterate(seed);
            var runs = new List<Figure3Run>();
            foreach (var method in options.Methods)
            {
                var rates = method.Compression == Compression.None ? [64.0] : options.Rates;
                foreach (var rate in rates)
                {
                    var quantizer = method.Compression == Compression.None ? QuantizerSpec.Parse("float64", 64) : QuantizerSpec.Parse(options.Quantizer, rate, options.DitherSeed);
                    runs.Add(RunOne(index, seed, problem, x0, method, quantizer, stop));
                }
            }

            return (Sigma: Bounds.SigmaGd(problem.Kappa), Runs: runs);
        }, progress);
        clock.Stop();

        var allRuns = perInstance.SelectMany(p => p.Runs).ToList();
        var rows = allRuns
            .GroupBy(r => (r.Method, r.RateBits))
            .Select(g =>
            {
                var rates = g.Select(r => r.EmpiricalRate).ToList();
                var paper = g.First().PaperBound is null ? (double?)null : g.Average(r => r.PaperBound!.Value);
                return new Figure3Row(
                    g.Key.Method,
                    g.Key.RateBits,
                    g.Average(r => r.Sigma),
                    Statistics.Mean(rates),
                    Statistics.StandardDeviation(rates),
                    g.Average(r => r.TailRate),
                    g.Average(r => r.Bound),
                    paper,
                    g.Average(r => r.Converse),
                    g.Average(r => (double)r.Iterations),
                    g.Sum(r => r.Overloads));
            })
            .ToList();
        var iterations = allRuns.Sum(r => (long)r.Iterations);
        return new Figure3Result(
            source.Name,
            source.Dimension,
            source.Rows,
            options.Instances,
            options.Seed,
            options.Quantizer,
            perInstance.Average(p => p.Sigma),
            Math.Sqrt(source.Dimension),
            rows,
            clock.Elapsed.TotalSeconds,
            iterations,
            clock.Elapsed.TotalMicroseconds * options.Threads / Math.Max(1, iterations),
            options.Threads)
        {
            Runs = allRuns,
        };
    }

    private static Figure3Run RunOne(int index, long seed, Problem problem, double[] x0, MethodSpec method, QuantizerSpec quantizer, StopRule stop)
    {
        var config = new MethodConfig { Method = method, Quantizer = quantizer, Dimension = problem.Dimension };
        var result = LocalRun.Execute(problem, config, x0, stop);
        var tuning = Tuning.For(method.Momentum, problem.L, problem.Mu);
        var coder = quantizer.Create(problem.Dimension);
        var epsilon = coder.UsesRange ? coder.CoveringRadius(1) : 0;
        double? paper = (method.Momentum, method.Compression) switch
        {
            (Momentum.None, Compression.Differential) => Bounds.DqGd(tuning.Sigma, coder.CoveringEfficiency, quantizer.Rate),
            (Momentum.None, Compression.Naive) => Bounds.NqGdPaper(tuning.Sigma, coder.CoveringEfficiency, quantizer.Rate),
            _ => null,
        };
        return new Figure3Run(
            index,
            seed,
            method.Name,
            quantizer.Rate,
            result.Iterations,
            result.EmpiricalRate,
            result.TailRate,
            result.RelativeError,
            result.Overloads,
            result.UplinkBits,
            result.ExitReason.ToString(),
            tuning.Sigma,
            Bounds.Guaranteed(method, tuning, epsilon, problem.L, problem.Mu),
            paper,
            Bounds.Converse(tuning.Sigma, quantizer.Rate));
    }

    private static void Validate(Figure3Options options)
    {
        if (options.Methods.Count == 0)
        {
            throw new DiffQuantException("a sweep needs at least one method.");
        }

        RateGrid.Validate(options.Rates);

        new StopRule { TargetRelativeError = options.Floor, StallWindow = options.StallWindow, MaxIterations = options.MaxIterations }.Validate();
    }
}
