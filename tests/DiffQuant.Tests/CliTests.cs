using System.Text.Json;
using DiffQuant.Cli;

namespace DiffQuant.Tests;

public class CliTests
{
    private static (int Exit, string Output, string Error) Dq(params string[] args) => TestData.Dq(args);

    [Fact]
    public void Run_json_reports_every_documented_field()
    {
        var (exit, output, error) = Dq("run", "--method", "dq-gd", "--rate", "6", "--m", "300", "--n", "30", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        string[] fields =
        [
            "method", "quantizer", "n", "m", "kappa", "sigma", "rate_bits", "iterations", "bits_total", "bits_per_coordinate",
            "downlink_bits_total", "relative_error", "empirical_rate", "bound", "converse", "overloads", "setup_bits", "bits_per_iteration",
        ];
        foreach (var field in fields)
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.Equal("dq-gd", root.GetProperty("method").GetString());
        Assert.Equal(30, root.GetProperty("n").GetInt32());
        Assert.Equal(300, root.GetProperty("m").GetInt32());
        Assert.Equal(180, root.GetProperty("bits_per_iteration").GetInt64());
        var iterations = root.GetProperty("iterations").GetInt64();
        Assert.Equal(DiffQuant.Methods.SetupMessage.Bits + (180 * iterations), root.GetProperty("bits_total").GetInt64());
        Assert.True(root.GetProperty("relative_error").GetDouble() <= 1e-9);
        Assert.Equal("TargetReached", root.GetProperty("exit_reason").GetString());
        Assert.Equal(0, root.GetProperty("overloads").GetInt64());
        Assert.True(root.GetProperty("empirical_rate").GetDouble() <= root.GetProperty("bound").GetDouble() * 1.01);
    }

    [Fact]
    public void Run_prints_progress_and_a_summary_table()
    {
        var (exit, output, _) = Dq("run", "--method", "nq-hb", "--rate", "8", "--problem", "quadratic", "--n", "20", "--kappa", "5");
        Assert.Equal(0, exit);
        Assert.Contains("t =      1", output);
        Assert.Contains("empirical rate", output);
        Assert.Contains("uplink bits", output);
    }

    [Fact]
    public void Run_reads_a_matrix_market_file()
    {
        var (exit, output, error) = Dq("run", "--matrix", TestData.Ash958Path, "--method", "dq-hb", "--rate", "8", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(292, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(958, json.RootElement.GetProperty("m").GetInt32());
    }

    [Fact]
    public void Bounds_json_has_rates_and_thresholds_per_method()
    {
        var (exit, output, _) = Dq("bounds", "--kappa", "4", "--n", "100", "--rate", "6", "--json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var methods = json.RootElement.GetProperty("methods");
        Assert.Equal(3, methods.GetArrayLength());
        var gd = methods[0];
        Assert.Equal("gd", gd.GetProperty("method").GetString());
        Assert.Equal(0.6, gd.GetProperty("sigma").GetDouble(), 12);
        Assert.Equal(0.6 + (10.0 / 64), gd.GetProperty("nq_bound_paper").GetDouble(), 12);
        Assert.Equal(Math.Log2(10 / 0.6), gd.GetProperty("loss_free_threshold").GetDouble(), 12);
        Assert.Equal(Math.Log2(1e9), json.RootElement.GetProperty("volume_floor_bits").GetDouble(), 12);
    }

    [Theory]
    [InlineData("--rate", "0", "--rate: must be a positive finite number")]
    [InlineData("--rate", "-3", "--rate: must be a positive finite number")]
    [InlineData("--rate", "NaN", "--rate: must be a positive finite number")]
    [InlineData("--rate", "60", "--rate: the rate 60 exceeds the 52 bits")]
    [InlineData("--method", "sgd", "unknown method 'sgd'")]
    [InlineData("--matrix", "/no/such.mtx", "--m applies to generated problems")]
    [InlineData("--rhs", "/no/such.txt", "cannot read right-hand side file")]
    [InlineData("--rate", "4,5", "--rate: '4,5' is not a number")]
    [InlineData("--eta", "0,1", "--eta: '0,1' is not a number")]
    [InlineData("--workers", "0", "--workers: must be positive")]
    [InlineData("--range", "guess", "unknown range policy 'guess'")]
    [InlineData("--max-bits", "40", "--max-bits 40 is below the 48 bits the setup messages take")]
    [InlineData("--kappa", "0.5", "--kappa: the condition number must be a finite number ≥ 1")]
    [InlineData("--eps", "-1", "--eps: must lie in (0, 1)")]
    [InlineData("--quantizer", "lattice", "unknown quantizer 'lattice'")]
    public void Bad_input_gets_a_message_and_a_non_zero_exit(string option, string value, string expected)
    {
        var (exit, _, error) = Dq("run", "--m", "100", "--n", "10", option, value);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Singular_problems_and_unparsable_options_fail_cleanly()
    {
        var singular = Dq("run", "--m", "10", "--n", "20");
        Assert.Equal(CliApp.InputError, singular.Exit);
        Assert.Contains("--m 10 is below --n 20", singular.Error);
        var unparsable = Dq("run", "--rate", "six");
        Assert.NotEqual(0, unparsable.Exit);
        Assert.DoesNotContain("   at ", unparsable.Error);
        var badBounds = Dq("bounds", "--kappa", "0", "--n", "10", "--rate", "3");
        Assert.Equal(CliApp.InputError, badBounds.Exit);
    }

    private static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "dq-tests", name, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void Figure3_writes_json_csv_and_plots_with_the_documented_fields()
    {
        var directory = TempDirectory("figure3");
        var (exit, output, error) = Dq("figure3", "--instances", "3", "--m", "300", "--n", "30", "--rates", "2,4,6", "--out", directory, "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        foreach (var field in new[] { "problem", "n", "m", "instances", "sigma_gd", "rows", "elapsed_seconds" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        }

        var row = root.GetProperty("rows")[1];
        foreach (var field in new[] { "method", "range", "rate_bits", "empirical_rate_mean", "empirical_rate_std", "bound", "converse" })
        {
            Assert.True(row.TryGetProperty(field, out _), $"row misses {field}");
        }

        Assert.Equal(1 + (2 * 3) + 3, root.GetProperty("rows").GetArrayLength());
        Assert.Contains("wrote", error);
        foreach (var file in new[] { "figure3.json", "runs.csv", "figure3.png", "figure3.svg" })
        {
            Assert.True(File.Exists(Path.Combine(directory, file)), $"missing {file}");
        }
    }

    [Fact]
    public void Quantizers_prints_one_json_document_and_writes_its_table()
    {
        var directory = TempDirectory("quantizers");
        var (exit, output, error) = Dq("quantizers", "--n", "32", "--rates", "1,2", "--trials", "5", "--quantizers", "float32,cube,rotated", "--out", directory, "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2 * (1 + 2 + 2), rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("encode_millions_per_second").GetDouble() > 0));
        Assert.Contains("| spiky | rotated | 2 | 64 |", File.ReadAllText(Path.Combine(directory, "quantizers.md")));

        var (badExit, _, badError) = Dq("quantizers", "--n", "10", "--rates", "0.1", "--quantizers", "rotated");
        Assert.Equal(2, badExit);
        Assert.Contains("--rates: rate 0.1 gives floor(n·R) = 1 bits per message for n = 10", badError);

        // A rate that is no rate is refused at parsing, naming the option, as the sweeps refuse it.
        (badExit, _, badError) = Dq("quantizers", "--rates", "1,-2");
        Assert.Equal(2, badExit);
        Assert.Equal("error: --rates: rate -2 in '-2' must be positive.", badError.Trim());
    }

    [Fact]
    public void Bits_reports_floor_rows_and_best()
    {
        var directory = TempDirectory("bits");
        var (exit, output, error) = Dq("bits", "--instances", "2", "--m", "300", "--n", "30", "--rates", "4,6", "--methods", "gd,dq-gd", "--quantizers", "cube,rotated", "--out", directory, "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(1e-9, root.GetProperty("eps").GetDouble());
        Assert.Equal(Math.Log2(1e9), root.GetProperty("floor_bits").GetDouble(), 12);
        // gd's two float rows; dq-gd's cube under both default ranges and rotated under adaptive ones, at two rates.
        Assert.Equal(2 + (3 * 2), root.GetProperty("rows").GetArrayLength());
        Assert.Equal(["dq-gd rotated worst-case"], root.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()![..s.GetString()!.IndexOf(':')]));
        foreach (var best in new[] { root.GetProperty("best").GetProperty("dq-gd"), root.GetProperty("best_overall") })
        {
            foreach (var field in new[] { "method", "quantizer", "range", "rate_bits", "iterations_mean", "bits_per_coordinate_mean" })
            {
                Assert.True(best.TryGetProperty(field, out _), $"best misses {field}");
            }
        }

        Assert.True(File.Exists(Path.Combine(directory, "bits.png")));
    }

    [Fact]
    public void Demo_writes_a_report_with_its_pictures()
    {
        var directory = TempDirectory("demo");
        var (exit, output, error) = Dq("demo", "--instances", "2", "--bits-instances", "1", "--out", directory, "--quiet");
        Assert.True(exit == 0, error);
        var report = Path.Combine(directory, "report.md");
        Assert.Contains($"report: {report}", output);
        var text = File.ReadAllText(report);
        foreach (var image in new[] { "figure3-gaussian.png", "figure3-ash958.png", "bits-gaussian.png", "bits-ash958.png" })
        {
            Assert.Contains($"]({image})", text);
            Assert.True(File.Exists(Path.Combine(directory, image)), $"missing {image}");
        }

        Assert.Contains("DQ-GD contracts at σ_GD once R ≥ log2(ρ/σ_GD)", text);
    }

    [Theory]
    [InlineData("figure3", "--rates", "x", "not a number")]
    [InlineData("figure3", "--instances", "0", "--instances: must be positive")]
    [InlineData("figure3", "--methods", "dq-sgd", "unknown method")]
    [InlineData("figure3", "--quantizer", "float64", "--quantizer must be a ranged quantizer")]
    [InlineData("figure3", "--problem", "quadratic", "sweeps run on the Gaussian ensemble")]
    [InlineData("bits", "--quantizers", "lattice", "unknown quantizer 'lattice'")]
    [InlineData("bits", "--eps", "0", "--eps: must lie in (0, 1)")]
    [InlineData("figure3", "--out", "/proc/dq-cannot-write-here", "cannot write")]
    [InlineData("figure3", "--kappa", "0.5", "--kappa: the condition number must be a finite number ≥ 1")]
    [InlineData("bits", "--m", "5", "--m 5 is below --n 10")]
    public void Sweeps_refuse_bad_input_with_a_message(string command, string option, string value, string expected)
    {
        var options = new Dictionary<string, string> { ["--instances"] = "1", ["--m"] = "100", ["--n"] = "10", ["--rates"] = "4", [option] = value };
        var (exit, _, error) = Dq([command, .. options.SelectMany(o => new[] { o.Key, o.Value })]);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
    }
}
