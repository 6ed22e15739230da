using DiffQuant.Lab;
using DiffQuant.Theory;

namespace DiffQuant.Tests;

/// <summary>The paper's Fig. 3 claims, checked on reduced instance counts of both problems.</summary>
public class Figure3Tests
{
    private static readonly Lazy<Figure3Result> Gaussian = new(() =>
        Figure3Sweep.Run(InstanceSource.Gaussian(1000, 100), new Figure3Options { Instances = 8, Threads = 2 }));

    private static readonly Lazy<Figure3Result> Ash958 = new(() =>
        Figure3Sweep.Run(InstanceSource.Matrix(TestData.Ash958Path), new Figure3Options { Instances = 4, Threads = 2 }));

    public static TheoryData<string> Problems => ["gaussian", "ash958"];

    private static Figure3Result Of(string problem) => problem == "gaussian" ? Gaussian.Value : Ash958.Value;

    [Theory]
    [MemberData(nameof(Problems))]
    public void Dq_gd_reaches_sigma_gd_where_its_bound_predicts_and_nq_gd_needs_several_more_bits(string problem)
    {
        var result = Of(problem);
        var analysis = Figure3Analysis.Of(result);
        var dq = analysis.Reaches.Single(r => r.Method == "dq-gd");
        var nq = analysis.Reaches.Single(r => r.Method == "nq-gd" && r.Range == "worst-case");
        var predicted = Bounds.LossFreeThreshold(result.SigmaGd, Math.Sqrt(result.N));
        Assert.Equal(predicted, dq.Predicted!.Value, 9);
        Assert.NotNull(dq.Rate);
        Assert.InRange(dq.Rate!.Value, Math.Floor(predicted), Math.Ceiling(predicted));
        Assert.NotNull(nq.Rate);
        Assert.True(nq.Rate >= dq.Rate + 3, $"NQ-GD reaches σ at R = {nq.Rate}, DQ-GD at R = {dq.Rate}");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Rates_lie_below_their_bounds_and_above_the_converse(string problem)
    {
        var result = Of(problem);
        foreach (var row in result.Rows.Where(r => r.Range != "paper"))
        {
            // Bounds are asymptotic: a finite run carries a constant factor, up to ~3% near the crossover.
            var bound = Math.Min(1, row.Bound!.Value);
            Assert.True(row.EmpiricalRateMean <= bound * 1.05, $"{row.Label} R = {row.RateBits}: {row.EmpiricalRateMean} > bound {bound}");
            Assert.True(row.TailRateMean <= bound * 1.01, $"{row.Label} R = {row.RateBits}: tail {row.TailRateMean} > bound {bound}");
            Assert.True(row.TailRateMean >= row.Converse * 0.97, $"{row.Method} R = {row.RateBits}: tail {row.TailRateMean} < converse {row.Converse}");
            Assert.Equal(0, row.Overloads);
        }

        var gd = result.Row("gd", 64)!;
        Assert.True(gd.EmpiricalRateMean <= result.SigmaGd, $"GD {gd.EmpiricalRateMean} > σ {result.SigmaGd}");
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var options = new Figure3Options { Instances = 3, Rates = [3, 5.5, 8] };
        var one = Figure3Sweep.Run(InstanceSource.Gaussian(300, 30), options with { Threads = 1 });
        var two = Figure3Sweep.Run(InstanceSource.Gaussian(300, 30), options with { Threads = 2 });
        Assert.Equal(one.Rows, two.Rows);
        Assert.Equal(one.RunsCsv(), two.RunsCsv());
        Assert.Equal(1 + (2 * 3) + 3, one.Rows.Count);
    }

    [Fact]
    public void Plots_render_to_png_and_svg()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "plots");
        Directory.CreateDirectory(directory);
        ResultFiles.WriteFigure3(Gaussian.Value, directory, "figure3-gaussian", "runs-gaussian.csv");
        ResultFiles.WriteFigure3(Ash958.Value, directory, "figure3-ash958", "runs-ash958.csv");
        foreach (var stem in new[] { "figure3-gaussian", "figure3-ash958" })
        {
            var png = File.ReadAllBytes(Path.Combine(directory, stem + ".png"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            Assert.True(png.Length > 20_000, $"{stem}.png has only {png.Length} bytes");
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(directory, stem + ".svg")));
        }

        var csv = File.ReadAllLines(Path.Combine(directory, "runs-gaussian.csv"));
        Assert.Equal(1 + (8 * (1 + 12 + 12 + 12)), csv.Length);
        Assert.Equal(csv.Length - 1, Gaussian.Value.RunCount);
        Assert.StartsWith("instance,seed,method,range,rate_bits,iterations,empirical_rate,tail_rate", csv[0]);
    }

    [Theory]
    [InlineData("1-12", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 })]
    [InlineData("4,6,8", new[] { 4.0, 6, 8 })]
    [InlineData("2:4:0.5", new[] { 2.0, 2.5, 3, 3.5, 4 })]
    [InlineData("1-3, 2.3, 1", new[] { 1.0, 2, 2.3, 3 })]
    public void Rate_grids_parse_lists_and_ranges(string text, double[] expected) =>
        Assert.Equal(expected, RateGrid.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("5-2")]
    [InlineData("1:4:0")]
    [InlineData("-3")]
    public void Bad_rate_grids_are_refused(string text) =>
        Assert.Throws<DiffQuantException>(() => RateGrid.Parse(text));
}
