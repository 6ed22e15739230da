using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using DiffQuant.Quantization;

namespace DiffQuant.Benchmarks;

/// <summary>
/// The cells of <see cref="QuantizerBenchmarks"/> (every kind at every n, the same encode + decode), a kind's sizes
/// measured round-robin in one process, each sample between two readings of a control: a Hadamard transform of 4096
/// binary32 values, which stays in the first-level cache and so measures how fast the core itself runs at that
/// moment, not the code under test nor its memory traffic. On a machine whose cores other tenants share at times, BenchmarkDotNet's iterations of
/// one cell follow one another within seconds and may all fall in a slow spell; here a cell's samples spread over its
/// process's whole run, and a sample counts as quiet when the slower of its two control readings is within
/// <see cref="Options.QuietTolerance"/> of the run's fastest reading. Writes one JSON document to stdout: per cell the
/// fastest sample, the median of all samples and the median of the quiet ones, in million coordinates per second.
/// </summary>
internal static class InterleavedQuantizerRun
{
    public readonly record struct Options()
    {
        /// <summary>Visits of every cell, each round in a fresh random order.</summary>
        public int Rounds { get; init; } = 160;

        /// <summary>A sample repeats the encode + decode until this long has passed (at least once) and takes the mean time.</summary>
        public double SampleSeconds { get; init; } = 0.025;

        /// <summary>A sample is quiet when its control reading is at most (1 + this)·(the run's fastest reading).</summary>
        public double QuietTolerance { get; init; } = 0.05;

        /// <summary>Each cell runs this long (at least once) twice before the rounds, so every size runs code that has tiered up.</summary>
        public double WarmupSeconds { get; init; } = 0.3;

        /// <summary>Of the rounds' orders.</summary>
        public int Seed { get; init; } = 1;
    }

    private const int ControlLength = FastHadamard.BlockLength;

    /// <summary>
    /// Every kind of <see cref="QuantizerBenchmarks.Kinds"/> in a process of its own (<see cref="RunKind"/>), one after
    /// another, then the statistics of all their samples against the fastest control timing of the whole run (a process
    /// may spend its whole life in a slow spell); writes one JSON document and returns the exit code (1 when a child
    /// failed, with its error on stderr).
    /// </summary>
    public static int Run(Options options)
    {
        var kinds = new List<KindSamples>();
        foreach (var kind in QuantizerBenchmarks.Kinds)
        {
            var (file, prefix) = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
                ? ("dotnet", new[] { typeof(InterleavedQuantizerRun).Assembly.Location })
                : (Environment.ProcessPath!, []);
            var start = new ProcessStartInfo(file, [.. prefix, KindVerb, kind, options.Rounds.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                Console.Error.WriteLine($"error: the interleaved run of {kind} exited with {child.ExitCode}.");
                return 1;
            }

            kinds.Add(JsonSerializer.Deserialize<KindSamples>(output, Json)!);
        }

        var fastestControl = kinds.SelectMany(k => k.Cells).SelectMany(c => c.Samples).Min(s => s.Control);
        var quietLimit = (1 + options.QuietTolerance) * fastestControl;
        var report = new
        {
            QuantizerBenchmarkBase.MeasuredRate,
            options.Rounds,
            options.SampleSeconds,
            options.QuietTolerance,
            ControlNanosecondsFastest = fastestControl,
            Kinds = kinds.Select(k => new
            {
                k.Kind,
                ControlNanosecondsFastest = k.Cells.SelectMany(c => c.Samples).Min(s => s.Control),
                ControlNanosecondsMedian = Median(k.Cells.SelectMany(c => c.Samples).Select(s => s.Control)),
                ControlNanosecondsSlowest = k.Cells.SelectMany(c => c.Samples).Max(s => s.Control),
                QuietFraction = k.Cells.SelectMany(c => c.Samples).Count(s => s.Control <= quietLimit) / (double)k.Cells.Sum(c => c.Samples.Length),
                Cells = k.Cells.Select(c => new
                {
                    c.N,
                    Samples = c.Samples.Length,
                    QuietSamples = c.Samples.Count(s => s.Control <= quietLimit),
                    Fastest = c.Samples.Max(s => s.Rate),
                    Median = Median(c.Samples.Select(s => s.Rate)),
                    QuietMedian = Median(c.Samples.Where(s => s.Control <= quietLimit).Select(s => s.Rate)),
                }),
            }),
        };
        Console.WriteLine(JsonSerializer.Serialize(report, Json));
        return 0;
    }

    /// <summary>The verb of a child process: <c>interleaved-kind KIND ROUNDS</c>.</summary>
    public const string KindVerb = "interleaved-kind";

    /// <summary>
    /// One kind's cells at every n, round-robin in this process beside the control (one kind a process, as
    /// BenchmarkDotNet runs them: codes that share compiled paths, such as the cube and the dithered cube, would
    /// otherwise run the code the runtime's profile-guided optimization made for the other); writes its samples as JSON.
    /// </summary>
    public static void RunKind(string kind, Options options)
    {
        var cells = QuantizerBenchmarkBase.Sizes.Select(n => new QuantizerBenchmarks { Kind = kind, N = n, Rate = QuantizerBenchmarkBase.MeasuredRate }).ToArray();
        foreach (var cell in cells)
        {
            cell.Setup();
        }

        var control = new Control();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var cell in cells)
            {
                Repeat(cell, options.WarmupSeconds);
                control.Nanoseconds();
            }
        }

        var samples = cells.Select(_ => new List<Sample>()).ToArray();
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, cells.Length).ToArray();
        for (var round = 0; round < options.Rounds; round++)
        {
            random.Shuffle(order);
            foreach (var c in order)
            {
                var before = control.Nanoseconds();
                var seconds = Repeat(cells[c], options.SampleSeconds);
                var after = control.Nanoseconds();
                samples[c].Add(new Sample(cells[c].N / seconds / 1e6, Math.Max(before, after)));
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new KindSamples(kind, [.. cells.Select((cell, c) => new CellSamples(cell.N, [.. samples[c]]))]), Json));
    }

    /// <summary>One sample: million coordinates per second, and the slower of the control's timings around it (ns).</summary>
    private sealed record Sample(double Rate, double Control);

    private sealed record CellSamples(int N, Sample[] Samples);

    private sealed record KindSamples(string Kind, CellSamples[] Cells);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The mean seconds of one encode + decode over repeats lasting at least <paramref name="seconds"/> (one at least).</summary>
    private static double Repeat(QuantizerBenchmarks cell, double seconds)
    {
        var (count, clock) = (0, Stopwatch.StartNew());
        do
        {
            cell.EncodeDecode();
            count++;
        }
        while (clock.Elapsed.TotalSeconds < seconds);
        return clock.Elapsed.TotalSeconds / count;
    }

    /// <summary>The median, or null for no values (a cell without quiet samples).</summary>
    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// The control kernel: the fastest of five timings of ten transforms, in nanoseconds a transform. Its buffer starts on
    /// a cache line, as the library's transforms' buffers do, so that its speed does not depend on where an array
    /// happened to lie in a process (never freed: one a process).
    /// </summary>
    private sealed unsafe class Control
    {
        private readonly float[] _start = [.. Enumerable.Range(0, ControlLength).Select(i => (float)((i % 7) - 3))];
        private readonly float* _values = (float*)NativeMemory.AlignedAlloc(ControlLength * sizeof(float), 64);

        public double Nanoseconds()
        {
            var values = new Span<float>(_values, ControlLength);
            var fastest = double.MaxValue;
            for (var timing = 0; timing < 5; timing++)
            {
                var clock = Stopwatch.StartNew();
                for (var k = 0; k < 10; k++)
                {
                    _start.CopyTo(values); // from the same values each time: H·H = P·I would grow them to infinity
                    FastHadamard.Transform(values);
                }

                fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds * 1e9 / 10);
            }

            return fastest;
        }
    }
}
