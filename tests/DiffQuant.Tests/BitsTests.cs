using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Theory;

namespace DiffQuant.Tests;

public class BitsTests
{
    private static readonly Lazy<BitsResult> Small = new(() => BitsSweep.Run(
        InstanceSource.Gaussian(300, 30),
        new BitsOptions { Instances = 3, Rates = [3, 4.5, 6, 9], Threads = 2, Quantizers = ["cube", "dithered"], Ranges = [RangePolicyKind.WorstCase] }));

    [Fact]
    public void Every_configuration_has_a_row_and_bits_are_what_the_channel_counted()
    {
        var result = Small.Value;
        Assert.Equal((6 * 2 * 4) + (3 * 2), result.Rows.Count);
        Assert.Equal(3 * result.Rows.Count, result.RunCount);
        Assert.Equal(0, result.OverloadsTotal);
        Assert.Equal(Bounds.VolumeFloor(1e-9), result.FloorBits, 12);
        foreach (var row in result.Rows.Where(r => r.BitsPerCoordinateMean is not null))
        {
            // Every run pays the setup message and floor(n·R) bits per iteration: the means obey the same line.
            var perIteration = QuantizerSpec.Parse(row.Quantizer, row.RateBits).Create(30).BudgetBits;
            var expected = (SetupMessage.Bits + (row.IterationsMean!.Value * perIteration)) / 30;
            Assert.Equal(expected, row.BitsPerCoordinateMean!.Value, 1e-9);
            Assert.True(row.BitsPerCoordinateMean > result.FloorBits);
        }
    }

    [Fact]
    public void Best_rows_are_the_cheapest_complete_rows_and_dq_beats_nq_and_floats()
    {
        var result = Small.Value;
        foreach (var (method, best) in result.Best)
        {
            Assert.Equal(3, best.Reached);
            Assert.Equal(result.Rows.Where(r => r.Method == method && r.BitsPerCoordinateMean is not null).Min(r => r.BitsPerCoordinateMean), best.BitsPerCoordinateMean);
        }

        foreach (var momentum in new[] { "gd", "hb", "agd" })
        {
            Assert.True(result.Best["dq-" + momentum].BitsPerCoordinateMean < result.Best["nq-" + momentum].BitsPerCoordinateMean, momentum);
        }

        Assert.Equal("dq-hb", result.BestOverall!.Method);
        Assert.True(result.Best["nq-gd"].BitsPerCoordinateMean < result.Best["gd"].BitsPerCoordinateMean);
        Assert.Equal("float32", result.Best["gd"].Quantizer);
        Assert.Equal(result.BestOverall, result.Best.Values.MinBy(r => r.BitsPerCoordinateMean));
    }

    /// <summary>
    /// Quantizers × range policies: the pairs a method refuses (a clipping code under the worst case) are skipped and
    /// named, every other one has its rows, and the rotated code under adaptive ranges is the cheapest way to ε.
    /// </summary>
    [Fact]
    public void Quantizers_and_ranges_are_swept_together_and_refused_pairs_are_listed()
    {
        var result = BitsSweep.Run(
            InstanceSource.Gaussian(300, 30),
            new BitsOptions { Instances = 3, Rates = [1.5, 2, 3], Threads = 2, Methods = [MethodSpec.Parse("nq-gd"), MethodSpec.Parse("dq-gd"), MethodSpec.Parse("dq-hb")], Quantizers = ["cube", "rotated"], Ranges = [RangePolicyKind.WorstCase, RangePolicyKind.Adaptive] });
        Assert.Equal(["nq-gd", "dq-gd", "dq-hb"], result.Skipped.Select(s => s.Split(' ')[0]));
        Assert.All(result.Skipped, s => Assert.Contains("rotated worst-case: --range worst-case needs a quantizer with a worst-case error bound", s));
        Assert.Equal(3 * 3 * 3, result.Rows.Count);
        Assert.Equal(("rotated", "adaptive"), (result.BestOverall!.Quantizer, result.BestOverall.Range));
        Assert.True(result.BestOverall.BitsPerCoordinateMean < result.Rows.Where(r => r.Quantizer == "cube").Min(r => r.BitsPerCoordinateMean ?? double.MaxValue));
        var curves = BitsPlot.Curves(result);
        Assert.Subset(new HashSet<(string, string)> { ("cube", "worst-case"), ("cube", "adaptive"), ("rotated", "adaptive") }, curves.Select(c => c.Variant).ToHashSet());
        Assert.Equal(result.BestOverall.BitsPerCoordinateMean!.Value, curves.Single(c => c.Variant == ("rotated", "adaptive")).Points.Min(p => p.Bits));
        using var json = System.Text.Json.JsonDocument.Parse(ResultJson.Serialize(result));
        var best = json.RootElement.GetProperty("best_overall");
        Assert.Equal(("rotated", "adaptive"), (best.GetProperty("quantizer").GetString(), best.GetProperty("range").GetString()));
        Assert.Equal(result.BestOverall.BitsPerCoordinateMean!.Value, best.GetProperty("bits_per_coordinate_mean").GetDouble());
    }

    [Fact]
    public void Rows_that_miss_eps_on_some_instance_have_no_mean()
    {
        var row = Small.Value.Rows.Single(r => r.Method == "nq-gd" && r.Quantizer == "cube" && r.RateBits == 3);
        Assert.True(row.Reached < 3);
        Assert.Null(row.BitsPerCoordinateMean);
    }

    [Fact]
    public void Bits_plot_renders()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "plots");
        Directory.CreateDirectory(directory);
        ResultFiles.WriteBits(Small.Value, directory, "bits-small");
        Assert.True(new FileInfo(Path.Combine(directory, "bits-small.png")).Length > 20_000);
        Assert.Contains("\"floor_bits\"", File.ReadAllText(Path.Combine(directory, "bits-small.json")));
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var source = InstanceSource.Gaussian(300, 30);
        Assert.Throws<DiffQuantException>(() => BitsSweep.Run(source, new BitsOptions { Eps = 2 }));
        Assert.Throws<DiffQuantException>(() => BitsSweep.Run(source, new BitsOptions { Quantizers = ["float64"] }));
        Assert.Throws<DiffQuantException>(() => BitsSweep.Run(source, new BitsOptions { Instances = 0 }));
        Assert.Throws<DiffQuantException>(() => Figure3Sweep.Run(source, new Figure3Options { Rates = [60] }));
        Assert.Throws<DiffQuantException>(() => Figure3Sweep.Run(source, new Figure3Options { Methods = [] }));
        Assert.Throws<DiffQuantException>(() => BitsSweep.Run(source, new BitsOptions { Methods = [MethodSpec.Parse("gd")], Threads = 0 }));

        // Bad input met inside the parallel part arrives as one clear error naming an instance.
        var inside = Assert.Throws<DiffQuantException>(() => InstanceSweep.Run<int>(4, 1, 2, (i, _) => i == 2 ? throw new DiffQuantException("singular") : i));
        Assert.Equal($"instance 2 (seed {InstanceSweep.SeedOf(1, 2)}): singular", inside.Message);
    }
}
