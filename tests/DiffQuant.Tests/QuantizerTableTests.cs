using DiffQuant.Lab;

namespace DiffQuant.Tests;

/// <summary>`dq quantizers`' measurements: what each row holds and what the rows show against each other.</summary>
public class QuantizerTableTests
{
    private static readonly Lazy<QuantizerTableResult> Table = new(() => QuantizerTable.Measure(new QuantizerTableOptions { N = 64, Rates = [1, 2, 4], Trials = 40 }));

    [Fact]
    public void Floats_come_first_once_and_ranged_codes_at_every_rate()
    {
        var rows = Table.Value.Rows;
        Assert.Equal(["float64", "float32"], rows.Take(2).Select(r => r.Quantizer));
        var ranged = DiffQuant.Quantization.QuantizerRegistry.Names.Count(n => DiffQuant.Quantization.QuantizerRegistry.Find(n).Capabilities.ImpliedRate is null);
        Assert.Equal(2 * (2 + (ranged * 3)), rows.Count);
        Assert.Equal(["gaussian", "spiky"], rows.Select(r => r.Input).Distinct());
        Assert.Equal(0, rows[0].WorstRelativeError);
        Assert.Null(rows[0].EffectiveRho);
        Assert.All(rows, r => Assert.True(r.EncodeMillionsPerSecond > 0 && r.DecodeMillionsPerSecond > 0));
        Assert.All(rows.Skip(2), r => Assert.Equal((long)Math.Floor(64 * r.RateBits), r.BitsPerMessage));
    }

    /// <summary>
    /// The cube never saturates with r = ‖u‖∞ and its ρ stays below √n, but it spends its cells on the largest
    /// coordinate; the rotated code clips a small share of coordinates and its effective ρ stays between 1 and 2 for
    /// either input, so on the spiky one its error is several times smaller at every rate.
    /// </summary>
    [Fact]
    public void The_rotated_code_does_not_depend_on_the_inputs_shape()
    {
        var rows = Table.Value.Rows;
        foreach (var input in new[] { "gaussian", "spiky" })
        {
            foreach (var rate in new double[] { 1, 2, 4 })
            {
                var cube = rows.Single(r => r.Input == input && r.Quantizer == "cube" && r.RateBits == rate);
                var rotated = rows.Single(r => r.Input == input && r.Quantizer == "rotated" && r.RateBits == rate);
                Assert.Equal(0, cube.OverloadShare);
                Assert.InRange(cube.EffectiveRho!.Value, 0, Math.Sqrt(64));
                Assert.InRange(rotated.OverloadShare, 0, 0.2);
                Assert.InRange(rotated.EffectiveRho!.Value, 1, 2);
                Assert.True(rotated.WorstRelativeError >= rotated.MeanRelativeError);
                Assert.True(input == "gaussian" || rotated.MeanRelativeError * 2 < cube.MeanRelativeError, $"R = {rate}: rotated {rotated.MeanRelativeError}, cube {cube.MeanRelativeError}");
            }
        }
    }

    /// <summary>
    /// Each row carries its cells' measured normalized second moment: 1/12 for the scalar codes, E8's 0.0717 and D8's
    /// 0.0759 for the lattice codes, none for floats and the trellis code; and the entropy-coded rotated code's effective ρ is below the fixed-rate one's at
    /// 4 bits on both inputs (at n = 64 and 2 bits its 7-bit step and the coder's end, near a tenth of the message,
    /// can cost what entropy coding gains).
    /// </summary>
    [Fact]
    public void Rows_carry_their_cells_moment_and_entropy_coding_lowers_rho()
    {
        var rows = Table.Value.Rows;
        Assert.All(rows.Where(r => r.Quantizer is "cube" or "dithered" or "rotated" or "rotated-ec"), r => Assert.Equal(1 / 12.0, r.NormalizedSecondMoment!.Value, 0.001));
        Assert.All(rows.Where(r => r.Quantizer == "e8"), r => Assert.Equal(0.0717, r.NormalizedSecondMoment!.Value, 0.001));
        Assert.All(rows.Where(r => r.Quantizer == "d8"), r => Assert.Equal(0.0759, r.NormalizedSecondMoment!.Value, 0.001));
        Assert.All(rows.Where(r => r.Quantizer.StartsWith("float", StringComparison.Ordinal) || r.Quantizer == "rotated-tcq"), r => Assert.Null(r.NormalizedSecondMoment));
        foreach (var input in new[] { "gaussian", "spiky" })
        {
            var coded = rows.Single(r => r.Input == input && r.Quantizer == "rotated-ec" && r.RateBits == 4);
            var fixedRate = rows.Single(r => r.Input == input && r.Quantizer == "rotated" && r.RateBits == 4);
            Assert.True(coded.EffectiveRho < fixedRate.EffectiveRho, $"{input}: {coded.EffectiveRho} vs {fixedRate.EffectiveRho}");
        }
    }

    [Fact]
    public void The_same_options_measure_the_same_errors()
    {
        var again = QuantizerTable.Measure(new QuantizerTableOptions { N = 64, Rates = [1, 2, 4], Trials = 40 });
        Assert.Equal(Table.Value.Rows.Select(r => (r.MeanRelativeError, r.WorstRelativeError, r.OverloadShare)), again.Rows.Select(r => (r.MeanRelativeError, r.WorstRelativeError, r.OverloadShare)));
    }

    [Fact]
    public void Bad_options_are_refused_with_the_option_named()
    {
        Assert.Contains("--n and --trials must be positive", Assert.Throws<DiffQuantException>(() => QuantizerTable.Measure(new QuantizerTableOptions { Trials = 0 })).Message);
        Assert.Contains("--rates", Assert.Throws<DiffQuantException>(() => QuantizerTable.Measure(new QuantizerTableOptions { N = 10, Rates = [0.1] })).Message);
    }
}
