using System.Diagnostics;
using System.Globalization;
using System.Text;
using DiffQuant.Bits;
using DiffQuant.Problems;
using DiffQuant.Quantization;

namespace DiffQuant.Lab;

/// <summary>The vectors a quantizer table codes.</summary>
public enum TableInput
{
    /// <summary>u ~ N(0, I_n).</summary>
    Gaussian,

    /// <summary>u_i uniform on [−½, ½], 5% of them 30 times larger: a few large coordinates, as a gradient on a sparse or ill-conditioned problem has.</summary>
    Spiky,
}

/// <summary>What `dq quantizers` measures: every quantizer at every rate on <see cref="Trials"/> vectors of each kind, of length <see cref="N"/>.</summary>
public readonly record struct QuantizerTableOptions
{
    public QuantizerTableOptions()
    {
    }

    public int N { get; init; } = 100;

    public IReadOnlyList<double> Rates { get; init; } = [1, 2, 3, 4, 6, 8];

    public int Trials { get; init; } = 200;

    public long Seed { get; init; } = 1;

    public IReadOnlyList<TableInput> Inputs { get; init; } = [TableInput.Gaussian, TableInput.Spiky];

    /// <summary>Registered names; the float codecs are measured once, at their own rate (the speed baseline).</summary>
    public IReadOnlyList<string> Quantizers { get; init; } = QuantizerRegistry.Names;
}

/// <summary>
/// One quantizer at one rate: the relative error ‖Q(u) − u‖/‖u‖ (mean and worst over the trials), the effective
/// ρ = mean relative error · 2^R (√n for the cube at worst, 1 for an ideal code of the ball), the normalized second
/// moment of the lattice its cells come from (measured by <see cref="LatticeMoment"/>; null for floats), the share of
/// coordinates saturated, and encode and decode speed in millions of coordinates per second (one thread, the range computation included;
/// the fastest of a few passes).
/// </summary>
public sealed record QuantizerTableRow(string Input, string Quantizer, double RateBits, long BitsPerMessage, double MeanRelativeError, double WorstRelativeError, double? EffectiveRho, double? NormalizedSecondMoment, double OverloadShare, double EncodeMillionsPerSecond, double DecodeMillionsPerSecond);

public sealed record QuantizerTableResult(int N, int Trials, long Seed, string Range, IReadOnlyList<QuantizerTableRow> Rows);

/// <summary>Measures every quantizer on the same inputs, in one run, floats first (the baseline of the speeds).</summary>
public static class QuantizerTable
{
    /// <summary>Uniform points each lattice's normalized second moment is measured over (G to about ±0.0003).</summary>
    public const int MomentSamples = 40_000;

    /// <summary>The range each code is given.</summary>
    public const string Range = "r = ‖u‖∞ (what a range that knew the input would give)";

    public static QuantizerTableResult Measure(QuantizerTableOptions options)
    {
        if (options.N < 1 || options.Trials < 1)
        {
            throw new DiffQuantException($"--n and --trials must be positive, got {options.N} and {options.Trials}.");
        }

        RateGrid.Validate(options.Rates);
        var ranged = options.Quantizers.Where(q => QuantizerRegistry.Find(q).Capabilities.NeedsRange).ToList();
        RateGrid.ValidateFor(options.Rates, ranged, options.N);
        var rows = new List<QuantizerTableRow>();
        var moments = new Dictionary<ILattice, double>();

        // Twice, keeping the second: the first round runs every code path once, so that the JIT has optimized all of
        // them before any is timed (tiered compilation otherwise flatters whatever runs last).
        for (var round = 0; round < 2; round++)
        {
            rows.Clear();
            foreach (var kind in options.Inputs)
            {
                var inputs = Enumerable.Range(0, options.Trials).Select(t => Vector(kind, options.N, options.Seed + t)).ToArray();
                foreach (var name in options.Quantizers.OrderBy(q => QuantizerRegistry.Find(q).Capabilities.NeedsRange))
                {
                    var implied = QuantizerRegistry.Find(name).Capabilities.ImpliedRate;
                    foreach (var rate in implied is { } fixedRate ? [fixedRate] : options.Rates)
                    {
                        rows.Add(Row(kind, QuantizerSpec.Parse(name, rate, (ulong)options.Seed), options.N, inputs) with { NormalizedSecondMoment = Moment(name) });
                    }
                }
            }
        }

        return new QuantizerTableResult(options.N, options.Trials, options.Seed, Range, rows);

        double? Moment(string name)
        {
            if (QuantizerRegistry.Find(name).Capabilities.Cell is not { } cell)
            {
                return null;
            }

            if (!moments.TryGetValue(cell, out var moment))
            {
                moments[cell] = moment = LatticeMoment.NormalizedSecondMoment(cell, MomentSamples, options.Seed);
            }

            return moment;
        }
    }

    public static string Name(TableInput input) => input == TableInput.Gaussian ? "gaussian" : "spiky";

    private static double[] Vector(TableInput kind, int n, long seed)
    {
        if (kind == TableInput.Gaussian)
        {
            return GaussianSource.Vector(n, seed, GaussianSource.Stream.Target);
        }

        var random = GaussianSource.Generator(seed, GaussianSource.Stream.Target);
        var u = new double[n];
        for (var i = 0; i < n; i++)
        {
            var large = random.NextOpenUnit() < 0.05;
            u[i] = (large ? 30 : 1) * (random.NextOpenUnit() - 0.5);
        }

        return u;
    }

    /// <summary>Timed passes over the vectors; the fastest counts (the first ones run code the JIT has not optimized yet).</summary>
    private const int TimedPasses = 5;

    private static QuantizerTableRow Row(TableInput kind, QuantizerSpec spec, int n, double[][] inputs)
    {
        var (encoder, decoder) = (spec.Create(n), spec.Create(n));
        var writer = new BitWriter();
        var q = new double[n];
        var decoded = new double[n];
        var payloads = new Payload[inputs.Length];
        var errors = new double[inputs.Length];
        var overloads = 0L;
        for (var t = 0; t < inputs.Length; t++)
        {
            writer.Reset();
            overloads += encoder.Encode(inputs[t], Context(inputs[t], t, encoder), writer, q);
            payloads[t] = new Payload(writer.ToPayload().Bytes.ToArray(), writer.BitLength);
            errors[t] = System.Numerics.Tensors.TensorPrimitives.Distance<double>(q, inputs[t]) / System.Numerics.Tensors.TensorPrimitives.Norm<double>(inputs[t]);
        }

        var (encoding, decoding) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
        for (var pass = 0; pass < TimedPasses; pass++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var t = 0; t < inputs.Length; t++)
            {
                writer.Reset();
                encoder.Encode(inputs[t], Context(inputs[t], t, encoder), writer, q);
            }

            var middle = Stopwatch.GetTimestamp();
            for (var t = 0; t < inputs.Length; t++)
            {
                var reader = new BitReader(payloads[t]);
                decoder.Decode(ref reader, Context(inputs[t], t, decoder), decoded);
            }

            encoding = Min(encoding, Stopwatch.GetElapsedTime(start, middle));
            decoding = Min(decoding, Stopwatch.GetElapsedTime(middle));
        }

        var coordinates = (double)n * inputs.Length;
        var mean = errors.Average();
        return new QuantizerTableRow(
            Name(kind),
            spec.Kind,
            spec.Rate,
            encoder.BudgetBits,
            mean,
            errors.Max(),
            encoder.UsesRange ? mean * Math.Pow(2, spec.Rate) : null,
            null,
            overloads / coordinates,
            coordinates / encoding.TotalSeconds / 1e6,
            coordinates / decoding.TotalSeconds / 1e6);

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    private static QuantizerContext Context(double[] u, long step, IQuantizer quantizer) =>
        new(quantizer.UsesRange ? Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<double>(u)) : 1, step, quantizer.BudgetBits);

    /// <summary>Millions of coordinates a second: whole numbers, one decimal below 10 (the trellis code's encoder).</summary>
    public static string Speed(double millions) => millions.ToString(millions < 10 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public static string Markdown(QuantizerTableResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"n = {result.N}, {result.Trials} vectors of each input, range {result.Range}; speeds on one thread, binary32 and binary64 as the baseline in the same run.\n\n");
        text.Append("| input | quantizer | R | bits / message | mean ‖e‖/‖u‖ | worst ‖e‖/‖u‖ | effective ρ | cell NSM | saturated | encode M coords/s | decode M coords/s |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in result.Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Input} | {r.Quantizer} | {r.RateBits:G} | {r.BitsPerMessage} | {r.MeanRelativeError:G3} | {r.WorstRelativeError:G3} | {(r.EffectiveRho is { } rho ? rho.ToString("F2", CultureInfo.InvariantCulture) : "—")} | {(r.NormalizedSecondMoment is { } g ? g.ToString("F4", CultureInfo.InvariantCulture) : "—")} | {r.OverloadShare:P1} | {Speed(r.EncodeMillionsPerSecond)} | {Speed(r.DecodeMillionsPerSecond)} |\n");
        }

        return text.ToString();
    }
}
