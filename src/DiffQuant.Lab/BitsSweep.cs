using System.Diagnostics;
using System.Globalization;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
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
        var (configs, skipped) = Configurations(options, source.Dimension);
        var clock = Stopwatch.StartNew();
        var perInstance = InstanceSweep.Run(options.Instances, options.Seed, options.Threads, (_, seed) =>
        {
            var problem = source.Create(seed);
            var x0 = source.InitialIterate(seed);
            return configs.Select(c =>
            {
                var config = Config(c, options.DitherSeed, problem.Dimension);
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
                configs[k].Method.Compensation.Quantizes ? RangePolicyNames.Name(configs[k].Range) : "none",
                QuantizerSpec.Parse(configs[k].Quantizer, configs[k].Rate).Rate,
                configs[k].Ramp,
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
            skipped,
            clock.Elapsed.TotalSeconds);
    }

    private static MethodConfig Config((MethodSpec Method, string Quantizer, RangePolicyKind Range, double Rate, double Ramp) c, ulong seed, int dimension) =>
        new() { Method = c.Method, Quantizer = QuantizerSpec.Parse(c.Quantizer, c.Rate, seed), Range = c.Range, Ramp = new RateRamp(c.Ramp), Dimension = dimension };

    /// <summary>Every (method, quantizer, range, rate, ramp) to run, and the (method, quantizer, range, ramp) a method refuses, with the reason.</summary>
    private static (List<(MethodSpec Method, string Quantizer, RangePolicyKind Range, double Rate, double Ramp)> Configs, List<string> Skipped) Configurations(BitsOptions options, int dimension)
    {
        var configs = new List<(MethodSpec, string, RangePolicyKind, double, double)>();
        var skipped = new List<string>();
        foreach (var method in options.Methods)
        {
            if (!method.Compensation.Quantizes)
            {
                configs.Add((method, "float32", MethodConfig.DefaultRange, 32, RateRamp.DefaultBits));
                configs.Add((method, "float64", MethodConfig.DefaultRange, 64, RateRamp.DefaultBits));
                continue;
            }

            foreach (var quantizer in options.Quantizers)
            {
                foreach (var (range, ramp) in options.Ranges.SelectMany(range => options.Ramps.Select(ramp => (range, ramp))))
                {
                    try
                    {
                        // The lowest rate: a ramp's first message is coded at half of it.
                        Config((method, quantizer, range, options.Rates[0], ramp), options.DitherSeed, dimension).Validate();
                    }
                    catch (DiffQuantException e)
                    {
                        var ramped = ramp == RateRamp.DefaultBits ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ramp {ramp:G}");
                        skipped.Add($"{method.Name} {quantizer} {RangePolicyNames.Name(range)}{ramped}: {e.Message}");
                        continue;
                    }

                    foreach (var rate in options.Rates)
                    {
                        configs.Add((method, quantizer, range, rate, ramp));
                    }
                }
            }
        }

        if (configs.Count == 0)
        {
            throw new DiffQuantException($"no method takes any of the quantizers and ranges asked for: {string.Join("; ", skipped)}");
        }

        return (configs, skipped);
    }

    private static void Validate(BitsOptions options)
    {
        if (!(options.Eps > 0 && options.Eps < 1))
        {
            throw new DiffQuantException($"--eps must lie in (0, 1), got {options.Eps}.");
        }

        if (options.Methods.Count == 0 || options.Quantizers.Count == 0 || options.Ranges.Count == 0 || options.Ramps.Count == 0)
        {
            throw new DiffQuantException("a bits sweep needs at least one method, quantizer, range policy and ramp (0 for none).");
        }

        RateGrid.Validate(options.Rates);
        foreach (var ramp in options.Ramps)
        {
            new RateRamp(ramp).Validate();
        }

        foreach (var quantizer in options.Quantizers)
        {
            if (!QuantizerRegistry.Find(quantizer).Capabilities.NeedsRange)
            {
                throw new DiffQuantException($"quantizer '{quantizer}' cannot be swept over rates; use a ranged quantizer ({string.Join(", ", QuantizerRegistry.Names.Where(n => QuantizerRegistry.Find(n).Capabilities.NeedsRange))}).");
            }
        }
    }
}
