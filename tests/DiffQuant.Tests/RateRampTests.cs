using CsCheck;
using DiffQuant.Lab;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;

namespace DiffQuant.Tests;

public class RateRampTests
{
    [Fact]
    public void The_first_messages_take_the_transient_cut_on_a_sixteenth_bit_grid()
    {
        var ramp = new RateRamp(1);
        Assert.Equal(2.0, ramp.RateOf(3, 0)); // ⌊16·log2 2⌋/16 = 1
        Assert.Equal(3 - (9 / 16.0), ramp.RateOf(3, 1)); // ⌊16·log2 1.5⌋ = ⌊9.36⌋
        Assert.Equal(3 - (6 / 16.0), ramp.RateOf(3, 2)); // ⌊16·log2(4/3)⌋ = ⌊6.64⌋
        Assert.Equal(3 - (1 / 16.0), ramp.RateOf(3, 21)); // ⌊16·log2(23/22)⌋ = ⌊1.03⌋
        Assert.Equal(3.0, ramp.RateOf(3, 22)); // ⌊16·log2(24/23)⌋ = ⌊0.98⌋
        Assert.Equal(1.0, ramp.RateOf(2, 0)); // R − 1 = R/2
        Assert.Equal(0.75, ramp.RateOf(1.5, 0)); // the floor R/2 above R − 1
        Assert.Equal(0.75, ramp.LowestRate(1.5));
        Assert.Equal(1.7, new RateRamp(0).RateOf(1.7, 0));
    }

    [Fact]
    public void Rates_rise_to_R_never_fall_below_half_of_it_and_take_few_values()
    {
        TestData.ForEachCase(Gen.Select(Gen.Double[0, RateRamp.MaxBits], Gen.Double[0.01, 32]), 300, (bits, rate) =>
        {
            var ramp = new RateRamp(bits);
            var rates = Enumerable.Range(0, 2000).Select(m => ramp.RateOf(rate, m)).ToArray();
            Assert.All(rates, r => Assert.InRange(r, rate * RateRamp.FloorShare, rate));
            Assert.All(rates.Zip(rates.Skip(1)), p => Assert.True(p.First <= p.Second, $"C = {bits}, R = {rate}: {p.First} > {p.Second}"));
            Assert.All(rates.Where(r => r > rate * RateRamp.FloorShare), r => Assert.Equal(0, ((rate - r) * 16) % 1, 9));
            Assert.True(rates.Distinct().Count() <= (16 * bits) + 1, $"C = {bits}: {rates.Distinct().Count()} rates");
            Assert.Equal(ramp.LowestRate(rate), rates.Min());
        });
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(16.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_ramp_outside_its_range_is_refused_naming_the_option(double bits) =>
        Assert.StartsWith("--ramp must lie in [0, 16]", Assert.Throws<DiffQuantException>(() => Config("dqm-hb", "rotated-tcq", 2, RangePolicyKind.Adaptive, bits).Validate()).Message);

    [Theory]
    [InlineData("dq-hb", "cube", 4, RangePolicyKind.WorstCase, "--ramp needs --range adaptive")]
    [InlineData("dq-gd", "cube", 4, RangePolicyKind.Paper, "--ramp needs --range adaptive")]
    [InlineData("hb", "float64", 64, RangePolicyKind.Adaptive, "hb sends full-precision floats")]
    [InlineData("dq-hb", "rotated-tcq", 0.5, RangePolicyKind.Adaptive, "needs more than its 7-bit step")] // n = 20: the first message would have 5 bits
    public void A_ramp_the_configuration_cannot_code_is_refused(string method, string quantizer, double rate, RangePolicyKind range, string why) =>
        Assert.Contains(why, Assert.Throws<DiffQuantException>(() => Config(method, quantizer, rate, range, 1).Validate()).Message);

    /// <summary>Each message is coded at its own budget floor(n·R_m), and the channel counts exactly those bits.</summary>
    [Theory]
    [InlineData("dqm-hb", "rotated-tcq")]
    [InlineData("dq-gd", "rotated")]
    [InlineData("nq-gd", "cube")]
    public void Every_message_is_coded_at_its_ramped_budget(string method, string quantizer)
    {
        var problem = TestData.SmallGaussian();
        var config = Config(method, quantizer, 3, RangePolicyKind.Adaptive, 1.5);
        var result = LocalRun.Execute(problem, config, TestData.InitialPoint(problem.Dimension), new StopRule { MaxIterations = 30 });
        Assert.Equal(30, result.Iterations);
        var budgets = Enumerable.Range(0, 30).Sum(m => QuantizerSpec.Parse(quantizer, config.Ramp.RateOf(3, m)).Create(problem.Dimension).BudgetBits);
        Assert.Equal(budgets, result.UplinkBits - result.SetupBits);
        Assert.True(budgets < 30 * QuantizerSpec.Parse(quantizer, 3).Create(problem.Dimension).BudgetBits);
    }

    /// <summary>
    /// Heavy ball's double root makes its first steps contract slower than σ, so DQ-HB's first messages need fewer bits:
    /// on the same instances, a ramp reaches 1e-9 with fewer uplink bits than the same code at a constant rate (the sweep's
    /// best R of each), and plain DQ-GD, which has no such transient, is not helped as much.
    /// </summary>
    [Fact]
    public void A_ramp_makes_dq_hb_reach_eps_with_fewer_bits()
    {
        var result = BitsSweep.Run(
            InstanceSource.Gaussian(300, 30),
            new BitsOptions { Instances = 4, Rates = [1.75, 2, 2.25, 2.5], Threads = 2, Methods = [MethodSpec.Parse("dqm-hb"), MethodSpec.Parse("dq-gd")], Quantizers = ["rotated"], Ranges = [RangePolicyKind.Adaptive], Ramps = [0, 1] });
        double Best(string method, double ramp) => result.Rows.Where(r => r.Method == method && r.RampBits == ramp && r.BitsPerCoordinateMean is not null).Min(r => r.BitsPerCoordinateMean!.Value);
        var (flat, ramped) = (Best("dqm-hb", 0), Best("dqm-hb", 1));
        Assert.True(ramped < flat - 0.5, $"dqm-hb: ramp 1 {ramped:F2} against constant {flat:F2} bits a coordinate");
        Assert.True(flat - ramped > Best("dq-gd", 0) - Best("dq-gd", 1), "the ramp helps heavy ball more than GD");
        Assert.Equal(1, result.Best["dqm-hb"].RampBits);
        Assert.Equal("2, ramp 1", result.Rows.First(r => r.RampBits == 1 && r.RateBits == 2).RateText);
        using var json = System.Text.Json.JsonDocument.Parse(ResultJson.Serialize(result));
        Assert.Equal(result.BestOverall!.RampBits, json.RootElement.GetProperty("best_overall").GetProperty("ramp_bits").GetDouble());
        Assert.False(json.RootElement.GetProperty("best_overall").TryGetProperty("rate_text", out _));
    }

    [Fact]
    public void A_sweep_skips_the_ranges_a_ramp_cannot_run_under_and_says_why()
    {
        var result = BitsSweep.Run(
            InstanceSource.Gaussian(300, 30),
            new BitsOptions { Instances = 1, Rates = [4], Threads = 1, Methods = [MethodSpec.Parse("dq-gd")], Quantizers = ["cube"], Ranges = [RangePolicyKind.WorstCase, RangePolicyKind.Adaptive], Ramps = [0, 0.5] });
        Assert.Equal(["dq-gd cube worst-case ramp 0.5: --ramp needs --range adaptive: the worst-case schedule bounds every message at the fixed rate R."], result.Skipped);
        Assert.Equal(3, result.Rows.Count);
    }

    [Theory]
    [InlineData("1,x", "'x' in ramp item 'x' is not a number.")]
    [InlineData("0,-1", "ramp '-1' must lie in [0, 16]")]
    [InlineData(" , ", "no ramps in")]
    public void Bad_ramp_lists_are_refused(string text, string why) =>
        Assert.Contains(why, Assert.Throws<DiffQuantException>(() => RateGrid.ParseRamps(text)).Message);

    [Fact]
    public void Ramp_lists_are_sorted_without_duplicates() =>
        Assert.Equal([0, 0.5, 1], RateGrid.ParseRamps("1, 0.5,0,1"));

    private static MethodConfig Config(string method, string quantizer, double rate, RangePolicyKind range, double ramp) => new()
    {
        Method = MethodSpec.Parse(method),
        Quantizer = QuantizerSpec.Parse(quantizer, rate, 3),
        Dimension = 20,
        Range = range,
        Ramp = new RateRamp(ramp),
    };
}
