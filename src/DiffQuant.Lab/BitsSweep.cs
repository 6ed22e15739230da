using System.Diagnostics;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Theory;

namespace DiffQuant.Lab;

/// <summary>
/// Bits per coordinate needed to reach relative accuracy ε, for every method, quantizer and rate, against
/// the volume floor log2(1/ε) below which no algorithm of the class can go.
/// </summary>
public static class BitsSweep
{
    public static BitsResult Run(InstanceSource source, BitsOptions options, Action<int>? progress = null)
    {
        Validate(options);
        RateGrid.ValidateFor(options.Rates, options.Quantizers, source.Dimension);
        var stop = new StopRule { TargetRelativeError = options.Eps, StallWindow = options.StallWindow, MaxIterations = options.MaxIterations };
        var configs = Configurations(options);
        var clock = Stopwatch.StartNew();
        var perInstance = InstanceSweep.Run(options.Instances, options.Seed, options.Threads, (_, seed) =>
        {
            var problem = source.Create(seed);
            var x0 = source.InitialIterate(seed);
            return configs.Select(c =>
            {
                var quantizer = QuantizerSpec.Parse(c.Quantizer, c.Rate, options.DitherSeed);
                var config = new MethodConfig { Method = c.Method, Quantizer = quantizer, Dimension = problem.Dimension };
                var result = LocalRun.Execute(problem, config, x0, stop, evaluate: false);
                return (Reached: result.ExitReason == ExitReason.TargetReached, result.Iterations, Bits: (double)result.UplinkBits / problem.Dimension, result.Overloads);
            }).ToArray();
        }, progress);
        clock.Stop();

        var rows = new List<BitsRow>();
        for (var k = 0; k < configs.Count; k++)
        {
            var outcomes = perInstance.Select(p => p[k]).ToList();
            var reached = outcomes.Count(o => o.Reached);
            var all = reached == outcomes.Count;
            rows.Add(new BitsRow(
                configs[k].Method.Name,
                configs[k].Quantizer,
                QuantizerSpec.Parse(configs[k].Quantizer, configs[k].Rate).Rate,
                reached,
                all ? outcomes.Average(o => (double)o.Iterations) : null,
                all ? outcomes.Average(o => o.Bits) : null,
                outcomes.Sum(o => o.Overloads)));
        }

        var complete = rows.Where(r => r.BitsPerCoordinateMean is not null).ToList();
        var best = complete
            .GroupBy(r => r.Method)
            .ToDictionary(g => g.Key, g => g.MinBy(r => r.BitsPerCoordinateMean)!);
        return new BitsResult(
            source.Name,
            source.Dimension,
            source.Rows,
            options.Instances,
            options.Seed,
            options.Eps,
            Bounds.VolumeFloor(options.Eps),
            rows,
            best,
            complete.MinBy(r => r.BitsPerCoordinateMean),
            clock.Elapsed.TotalSeconds);
    }

    private static List<(MethodSpec Method, string Quantizer, double Rate)> Configurations(BitsOptions options)
    {
        var configs = new List<(MethodSpec, string, double)>();
        foreach (var method in options.Methods)
        {
            if (!method.Compensation.Quantizes)
            {
                configs.Add((method, "float32", 32));
                configs.Add((method, "float64", 64));
                continue;
            }

            foreach (var quantizer in options.Quantizers)
            {
                foreach (var rate in options.Rates)
                {
                    configs.Add((method, quantizer, rate));
                }
            }
        }

        return configs;
    }

    private static void Validate(BitsOptions options)
    {
        if (!(options.Eps > 0 && options.Eps < 1))
        {
            throw new DiffQuantException($"--eps must lie in (0, 1), got {options.Eps}.");
        }

        if (options.Methods.Count == 0 || options.Quantizers.Count == 0)
        {
            throw new DiffQuantException("a bits sweep needs at least one method and quantizer.");
        }

        RateGrid.Validate(options.Rates);

        foreach (var quantizer in options.Quantizers)
        {
            if (!QuantizerRegistry.Find(quantizer).Capabilities.NeedsRange)
            {
                throw new DiffQuantException($"quantizer '{quantizer}' cannot be swept over rates; use a ranged quantizer such as cube or dithered.");
            }
        }
    }
}
