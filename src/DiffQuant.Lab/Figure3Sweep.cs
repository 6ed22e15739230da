using System.Diagnostics;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;
using DiffQuant.Theory;

namespace DiffQuant.Lab;

/// <summary>
/// Fig. 3 of the paper: empirical contraction factors of each method at each rate over many instances,
/// against the bounds and the converse, under each distinct range policy, with K workers if asked. Plain
/// methods do not depend on R and run once per instance.
/// </summary>
public static class Figure3Sweep
{
    public static Figure3Result Run(InstanceSource source, Figure3Options options, Action<int>? progress = null)
    {
        Validate(options);
        RateGrid.ValidateFor(options.Rates, [options.Quantizer], source.Dimension);
        var stop = new StopRule { TargetRelativeError = options.Floor, StallWindow = options.StallWindow, MaxIterations = options.MaxIterations };
        var plan = Plan(options);
        var clock = Stopwatch.StartNew();
        var perInstance = InstanceSweep.Run(options.Instances, options.Seed, options.Threads, (index, seed) =>
        {
            var problem = LeastSquaresShards.Split(source.Create(seed), options.Workers);
            var x0 = source.InitialIterate(seed);
            var shards = problem.ShardsFor(options.Workers);
            var gd = Tuning.For(Momentum.None, shards.Sum(s => s.L), shards.Sum(s => s.Mu)).StepSize;
            var sigma = Math.Max(Math.Abs(1 - (gd * problem.Mu)), Math.Abs((gd * problem.L) - 1));
            return (Sigma: sigma, Runs: plan.Select(p => RunOne(index, seed, problem, x0, p, options, stop)).ToList());
        }, progress);
        clock.Stop();

        var allRuns = perInstance.SelectMany(p => p.Runs).ToList();
        var rows = allRuns
            .GroupBy(r => (r.Method, r.Range, r.RateBits))
            .Select(g =>
            {
                var rates = g.Select(r => r.EmpiricalRate).ToList();
                return new Figure3Row(
                    g.Key.Method,
                    g.Key.Range,
                    g.Key.RateBits,
                    g.Average(r => r.Sigma),
                    Statistics.Mean(rates),
                    Statistics.StandardDeviation(rates),
                    g.Average(r => r.TailRate),
                    g.First().Bound is null ? null : g.Average(r => r.Bound!.Value),
                    g.First().PaperBound is null ? null : g.Average(r => r.PaperBound!.Value),
                    g.Average(r => r.Converse),
                    g.Average(r => (double)r.Iterations),
                    g.Sum(r => r.Overloads),
                    g.Average(r => (double)r.Bits),
                    g.Average(r => (double)r.FramingBits));
            })
            .ToList();
        var iterations = allRuns.Sum(r => (long)r.Iterations);
        var efficiency = QuantizerSpec.Parse(options.Quantizer, options.Rates[0]).Create(source.Dimension).CoveringEfficiency;
        double? rho = double.IsFinite(efficiency) ? efficiency : null;
        return new Figure3Result(
            source.Name,
            source.Dimension,
            source.Rows,
            options.Instances,
            options.Seed,
            options.Quantizer,
            options.Workers,
            RateAllocation.Name(options.Allocation),
            perInstance.Average(p => p.Sigma),
            rho,
            rows,
            clock.Elapsed.TotalSeconds,
            iterations,
            clock.Elapsed.TotalMicroseconds * options.Threads / Math.Max(1, iterations),
            options.Threads)
        {
            Runs = allRuns,
        };
    }

    /// <summary>One run of the plan: a method at a rate under an effective range policy.</summary>
    private sealed record Planned(MethodSpec Method, double Rate, RangePolicyKind Range);

    private static List<Planned> Plan(Figure3Options options)
    {
        var plan = new List<Planned>();
        foreach (var method in options.Methods)
        {
            if (!method.Compensation.Quantizes)
            {
                plan.Add(new Planned(method, 64, RangePolicyKind.WorstCase));
                continue;
            }

            foreach (var range in options.Ranges.Select(r => RangePolicies.Effective(r, method, options.Workers)).Distinct())
            {
                plan.AddRange(options.Rates.Select(rate => new Planned(method, rate, range)));
            }
        }

        return plan;
    }

    private static Figure3Run RunOne(int index, long seed, Problem problem, double[] x0, Planned planned, Figure3Options options, StopRule stop)
    {
        var (method, rate, range) = planned;
        var quantizes = method.Compensation.Quantizes;
        var quantizer = quantizes ? QuantizerSpec.Parse(options.Quantizer, rate, options.DitherSeed) : QuantizerSpec.Float64;
        var config = new MethodConfig
        {
            Method = method,
            Quantizer = quantizer,
            Dimension = problem.Dimension,
            Range = range,
            Workers = options.Workers,
            Allocation = quantizes ? options.Allocation : RateAllocationKind.Equal,
        };
        var result = LocalRun.Execute(problem, config, x0, stop, evaluate: false);

        // The tuning the server derives from the setups, and the contraction it gives on f's true spectrum.
        var shards = problem.ShardsFor(options.Workers);
        var tuning = Tuning.For(method.Momentum, shards.Sum(s => s.L), shards.Sum(s => s.Mu));
        var sigma = options.Workers == 1 ? tuning.Sigma : Math.Max(Math.Abs(1 - (tuning.StepSize * problem.Mu)), Math.Abs((tuning.StepSize * problem.L) - 1));
        var coder = quantizer.Create(problem.Dimension);
        var epsilon = coder.UsesRange ? coder.CoveringRadius(1) : 0;
        // The paper's closed forms need the quantizer's covering efficiency ρ (a clipping code has none).
        double? paper = method.Momentum == Momentum.None && quantizes && double.IsFinite(coder.CoveringEfficiency)
            ? method.Compensation == Compensation.Differential ? Bounds.DqGd(sigma, coder.CoveringEfficiency, quantizer.Rate)
            : method.Compensation == Compensation.Naive ? Bounds.NqGdPaper(sigma, coder.CoveringEfficiency, quantizer.Rate) : null
            : null;
        double? bound = range == RangePolicyKind.Adaptive || options.Workers > 1
            ? null
            : range == RangePolicyKind.Paper ? paper : Bounds.Guaranteed(method, tuning, epsilon, problem.L, problem.Mu);
        return new Figure3Run(
            index,
            seed,
            method.Name,
            quantizes ? RangePolicyNames.Name(range) : "none",
            quantizer.Rate,
            result.Iterations,
            result.EmpiricalRate,
            result.TailRate,
            result.RelativeError,
            result.Overloads,
            result.UplinkBits,
            result.FramingBits,
            result.ExitReason.ToString(),
            sigma,
            bound is { } b && double.IsFinite(b) ? b : null,
            paper,
            Bounds.Converse(sigma, quantizer.Rate));
    }

    private static void Validate(Figure3Options options)
    {
        if (options.Methods.Count == 0)
        {
            throw new DiffQuantException("a sweep needs at least one method.");
        }

        if (options.Ranges.Count == 0)
        {
            throw new DiffQuantException("a sweep needs at least one range policy.");
        }

        if (options.Workers < 1)
        {
            throw new DiffQuantException($"--workers must be at least 1, got {options.Workers}.");
        }

        RateGrid.Validate(options.Rates);

        new StopRule { TargetRelativeError = options.Floor, StallWindow = options.StallWindow, MaxIterations = options.MaxIterations }.Validate();
    }
}
