using System.Text.Json;
using DiffQuant.Cli;
using DiffQuant.Lab;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

/// <summary>
/// The bad and edge-case inputs that once ended in an internal error, a silently wrong result or an unclear
/// message: each now gets a message naming the option, file or line, exit 2, and no output.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dq-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Output, string Error) Dq(params string[] args) => TestData.Dq(args);

    private string File(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private void AssertRefused(string expected, params string[] args)
    {
        var (exit, output, error) = Dq(args);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.True(error.Length < 400, $"the message is {error.Length} characters long");
    }

    [Theory]
    [InlineData("3 2 4\n1 1 1e200\n2 2 1e200\n3 1 1\n3 2 2", "general", "overflow")]
    [InlineData("3000000000 2 1\n1 1 1", "general", ":2: the rows 3,000,000,000 exceed 2,147,483,647")]
    [InlineData("3 2 900000000000\n1 1 1", "general", ":2: the size line declares 900,000,000,000 entries, more than the 6 cells")]
    [InlineData("3 3 5\n1 1 2\n2 1 1\n1 2 1\n2 2 2\n3 3 2", "symmetric", ":5: entry (1, 2) lies above the diagonal")]
    [InlineData("3 2 3\n1 1 2\n1 1 3\n2 2 1", "general", ":4: entry (1, 1) is listed again (first on line 3)")]
    [InlineData("3 4 1\n1 1 1", "symmetric", "must be square")]
    public void Matrix_market_files_that_would_mislead_are_refused(string body, string symmetry, string expected)
    {
        var path = File("a.mtx", $"%%MatrixMarket matrix coordinate real {symmetry}\n{body}\n");
        AssertRefused(expected, "run", "--matrix", path);
    }

    [Fact]
    public void A_repeated_pattern_entry_is_refused_not_counted_twice()
    {
        var path = File("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 2 4\n1 1\n1 1\n2 2\n3 1\n");
        AssertRefused("p.mtx:4: entry (1, 1) is listed again", "run", "--matrix", path);
    }

    [Fact]
    public void A_huge_line_is_not_echoed_whole()
    {
        var path = File("long.mtx", "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 1 " + new string('x', 1_000_000) + "\n");
        AssertRefused("long.mtx:3: 'xxxx", "run", "--matrix", path);
    }

    /// <summary>50,000 unknowns: too many to factor AᵀA densely (2.5·10⁹ entries), so L, μ and x* come matrix-free.</summary>
    [Fact]
    public void A_large_sparse_file_runs_without_a_dense_factorization()
    {
        const int n = 50_000;
        var path = Path.Combine(_folder, "diag.mtx");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("%%MatrixMarket matrix coordinate real general");
            writer.WriteLine($"{n} {n} {n}");
            for (var i = 1; i <= n; i++)
            {
                writer.WriteLine($"{i} {i} 1");
            }
        }

        var (exit, output, error) = TestData.Dq("run", "--matrix", path, "--method", "gd", "--json");
        Assert.True(exit == 0, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("relative_error").GetDouble() <= 1e-9);
        Assert.Equal(1, json.RootElement.GetProperty("kappa").GetDouble(), 1e-9);
    }

    [Theory]
    [InlineData("A (--m 2147483647 × --n 100) has 214,748,364,700 entries", "run", "--m", "2147483647")]
    [InlineData("A (--m 131073 × --n 32768) has 4,295,000,064 entries", "run", "--m", "131073", "--n", "32768")]
    [InlineData("a vector of --n 2147483647 unknowns", "run", "--problem", "quadratic", "--n", "2147483647")]
    [InlineData("--m 1000 is below --n 100000000", "run", "--n", "100000000")]
    [InlineData("--m 1000 is below --n 100000000", "figure3", "--n", "100000000", "--instances", "1")]
    [InlineData("--kappa: the condition number 1E+13 exceeds 1e12", "run", "--kappa", "1e13")]
    [InlineData("exceeds 1e12", "run", "--problem", "quadratic", "--kappa", "1e13")]
    [InlineData("--rates: rate 0.001 bits per coordinate gives floor(n·R) = 0 bits", "figure3", "--rates", "1e-3", "--instances", "1")]
    [InlineData("--rate is required", "bounds", "--kappa", "10", "--n", "10")]
    [InlineData("--eps: must lie in (0, 1), got 2", "run", "--eps", "2")]
    [InlineData("--max-bits 10 is below the 48 bits", "run", "--max-bits", "10")]
    [InlineData("--stall: must be positive", "figure3", "--stall", "0")]
    [InlineData("--threads: must be positive", "demo", "--threads", "0")]
    [InlineData("--ranges: unknown range policy", "figure3", "--ranges", "paper,guess")]
    [InlineData("--eta: must be a positive finite number", "run", "--eta", "-1")]
    [InlineData("--gamma: must lie in [0, 1)", "run", "--method", "hb", "--gamma", "1.5")]
    public void Sizes_and_options_are_checked_before_any_work(string expected, params string[] args) => AssertRefused(expected, args);

    [Fact]
    public void Demo_warns_on_stderr_when_the_second_panel_is_missing()
    {
        using var error = new StringWriter();
        Assert.Null(DemoCommand.SecondPanel(null, _ => null, error));
        Assert.Contains("warning: ash958.mtx not found", error.ToString());
        using var quiet = new StringWriter();
        Assert.Equal("given.mtx", DemoCommand.SecondPanel("given.mtx", _ => null, quiet));
        Assert.Equal("found.mtx", DemoCommand.SecondPanel(null, _ => "found.mtx", quiet));
        Assert.Empty(quiet.ToString());
    }

    [Fact]
    public void Memory_a_problem_would_need_is_checked_up_front()
    {
        var e = Assert.Throws<DiffQuantException>(() => ProblemLimits.Memory(1e18, "a test problem"));
        Assert.Contains("a test problem needs about 1000000000.0 GB", e.Message);
        ProblemLimits.Memory(1e6, "a small problem");
    }

    [Fact]
    public void Exponents_in_rate_lists_are_numbers_not_ranges()
    {
        Assert.Equal([0.01, 0.5], RateGrid.Parse("1e-2,5E-1"));
        Assert.Equal([0.2, 1.2, 2.2], RateGrid.Parse("2e-1-3"));
        Assert.Equal([1.0, 2.0, 3.0], RateGrid.Parse("1-3"));
    }

    /// <summary>Every bound `dq bounds` reports is finite and at least the converse, also at κ = 1 and low or high R.</summary>
    [Theory]
    [InlineData("1")]
    [InlineData("1.001")]
    [InlineData("1.01")]
    [InlineData("10")]
    [InlineData("10000")]
    public void Bounds_are_finite_and_never_below_the_converse(string kappa)
    {
        foreach (var rate in new[] { "0.5", "1", "2", "8", "20" })
        {
            var (exit, output, error) = Dq("bounds", "--kappa", kappa, "--n", "100", "--rate", rate, "--json");
            Assert.True(exit == 0, error);
            using var json = JsonDocument.Parse(output);
            foreach (var method in json.RootElement.GetProperty("methods").EnumerateArray())
            {
                var converse = method.GetProperty("converse").GetDouble();
                foreach (var field in new[] { "dq_bound", "nq_bound_schedule" })
                {
                    var bound = method.GetProperty(field);
                    Assert.True(bound.ValueKind == JsonValueKind.Number, $"{field} of {method.GetProperty("method")} at κ = {kappa}, R = {rate} is {bound}");
                    Assert.True(bound.GetDouble() >= converse - 1e-12, $"{field} {bound} below the converse {converse} at κ = {kappa}, R = {rate}");
                }
            }
        }
    }

    /// <summary>A failed write leaves the previous outputs whole: nothing is moved in until every file was written.</summary>
    [Fact]
    public void A_failed_output_write_leaves_the_previous_outputs_unchanged()
    {
        var folder = Path.Combine(_folder, "out");
        Assert.Equal(0, Dq("figure3", "--instances", "1", "--rates", "4", "--out", folder, "--quiet").Exit);
        var before = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), System.IO.File.ReadAllBytes);
        System.IO.File.Delete(Path.Combine(folder, "figure3.svg"));
        Directory.CreateDirectory(Path.Combine(folder, "figure3.svg"));
        var (exit, _, error) = Dq("figure3", "--instances", "2", "--rates", "5", "--out", folder, "--quiet");
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("no output was changed", error);
        foreach (var (name, bytes) in before.Where(b => b.Key != "figure3.svg"))
        {
            Assert.Equal(bytes, System.IO.File.ReadAllBytes(Path.Combine(folder, name)));
        }

        Assert.DoesNotContain(Directory.GetDirectories(folder), d => Path.GetFileName(d).StartsWith(".staging-", StringComparison.Ordinal));
    }
}
