using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Quantization;

namespace DiffQuant.Tests;

public class QuantizerTests
{
    /// <summary>
    /// The cube's vectorized runs give the scalar grid's cells and values bit for bit, for every length 0…300 (SIMD
    /// body and scalar tail), with inputs inside, on the edges of and outside the range, count the overloads, refuse a
    /// NaN by its index wherever it falls, and pack the cells as field after field would (chunks of 52, 48, 40 and 52
    /// bits; none for b = 14); the decoder's runs (unpacked, then reconstructed) give the encoder's values bit for bit.
    /// </summary>
    [Fact]
    public void The_cubes_vectorized_runs_match_its_scalar_grid()
    {
        var random = new Random(4);
        foreach (var bits in new[] { 1, 2, 5, 13, 14 })
        {
            for (var n = 0; n <= 300; n++)
            {
                const double Range = 1.5;
                var u = Enumerable.Range(0, n).Select(i => i % 17 == 0 ? Range * (i % 2 == 0 ? 1 : -1) : (random.NextDouble() - 0.5) * 4).ToArray();
                var quantizer = new CubeQuantizer(n, bits);
                var writer = new BitWriter();
                var q = new double[n];
                var context = new QuantizerContext(Range, 0, quantizer.BudgetBits);
                var overloads = quantizer.Encode(u, context, writer, q);
                Assert.Equal(u.Count(x => Math.Abs(x) > Range), overloads);
                var grid = new CubeQuantizer.MidpointGrid(Range, Math.ScaleB(2 * Range, -bits), Math.ScaleB(1.0, bits) - 1);
                var reader = new BitReader(writer.ToPayload());
                for (var i = 0; i < n; i++)
                {
                    var cell = grid.Cell(u[i], i);
                    Assert.Equal(cell, reader.Read(bits));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(grid.Value(cell, i)), BitConverter.DoubleToInt64Bits(q[i]));
                }

                var decoded = new double[n];
                var received = new BitReader(writer.ToPayload());
                quantizer.Decode(ref received, context, decoded);
                Assert.Equal(q.Select(BitConverter.DoubleToInt64Bits), decoded.Select(BitConverter.DoubleToInt64Bits));
            }
        }

        foreach (var at in new[] { 0, 5, 255, 256, 299 })
        {
            var u = new double[300];
            u[at] = double.NaN;
            var quantizer = new CubeQuantizer(300, 2);
            var error = Assert.Throws<DiffQuantException>(() => quantizer.Encode(u, new QuantizerContext(1, 0, quantizer.BudgetBits), new BitWriter(), new double[300]));
            Assert.Contains($"quantizer input [{at}] is NaN", error.Message);
        }
    }

    private static readonly Gen<double> Rate = Gen.OneOf(Gen.Int[1, 16].Select(r => (double)r), Gen.Double[0.05, 16]);

    private static readonly Gen<(double[] Unit, double Rate, double Range, bool Dithered)> Inputs =
        Gen.Select(Gen.Double[-1, 1].Array[0, 300], Rate, Gen.Double[1e-3, 1e3], Gen.Bool)
            .Where(t => t.Item1.Length == 0 || BitAllocation.Budget(t.Item1.Length, t.Item2) > 0); // a message of 0 bits is refused

    private static IQuantizer Create(int n, double rate, bool dithered) =>
        dithered ? new DitheredCubeQuantizer(n, rate, seed: 99) : new CubeQuantizer(n, rate);

    private static (Payload Payload, double[] Q, int Overloads) Encode(IQuantizer quantizer, double[] u, double range, long step = 3)
    {
        var writer = new BitWriter();
        var q = new double[u.Length];
        var overloads = quantizer.Encode(u, new QuantizerContext(range, step, long.MaxValue), writer, q);
        return (writer.ToPayload(), q, overloads);
    }

    [Fact]
    public void Error_inside_the_range_is_within_the_covering_radius()
    {
        TestData.ForEachCase(Inputs, 400, (unit, rate, range, dithered) =>
        {
            var u = unit.Select(x => x * range).ToArray();
            var quantizer = Create(u.Length, rate, dithered);
            var (_, q, overloads) = Encode(quantizer, u, range);
            Assert.Equal(0, overloads);
            var error = TestData.Norm(q.Zip(u, (a, b) => a - b).ToArray());
            Assert.True(error <= quantizer.CoveringRadius(range) * (1 + 1e-9) + 1e-300, $"error {error} > radius {quantizer.CoveringRadius(range)}");
            var bits = BitAllocation.Spread(u.Length, rate);
            for (var i = 0; i < u.Length; i++)
            {
                int b = bits[i];
                var cell = dithered ? (b == 0 ? range : range / ((1UL << b) - 1)) : range * Math.Pow(2, -b);
                Assert.True(Math.Abs(q[i] - u[i]) <= cell * (1 + 1e-9), $"coordinate {i}: |{q[i]} − {u[i]}| > {cell}");
            }
        });
    }

    [Fact]
    public void Inputs_outside_the_range_saturate_and_count_as_overloads()
    {
        TestData.ForEachCase(Gen.Select(Gen.Double[-3, 3].Array[1, 300], Gen.Int[1, 12]), 200, (u, rate) =>
        {
            var quantizer = new CubeQuantizer(u.Length, rate);
            var (_, q, overloads) = Encode(quantizer, u, 1.0);
            Assert.Equal(u.Count(x => Math.Abs(x) > 1), overloads);
            Assert.All(q, x => Assert.InRange(x, -1.0, 1.0));
        });
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(100, 1)]
    [InlineData(100, 6)]
    [InlineData(292, 12)]
    public void Cube_covering_efficiency_is_sqrt_n_at_integer_rates(int n, int rate)
    {
        var quantizer = new CubeQuantizer(n, rate);
        Assert.Equal(Math.Sqrt(n), quantizer.CoveringEfficiency, 1e-9);
        Assert.Equal(2.0 * Math.Sqrt(n) * Math.Pow(2, -rate), quantizer.CoveringRadius(2.0), 1e-12);
    }

    [Fact]
    public void Fractional_rates_spread_exactly_the_budget_over_coordinates()
    {
        TestData.ForEachCase(Gen.Select(Gen.Int[0, 300], Gen.Double[0.01, 20]), 300, (n, rate) =>
        {
            var bits = BitAllocation.Spread(n, rate);
            var total = BitAllocation.Budget(n, rate);
            Assert.Equal(total, bits.Sum(b => (long)b));
            Assert.All(bits, b => Assert.InRange(b, Math.Floor(rate) - 1e-9, Math.Ceiling(rate) + 1e-9));
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(((i + 1) * total / n) - (i * total / n), bits[i]);
            }

            // A range's share is the sum of its coordinates' bits, so consecutive ranges share the whole budget.
            var (from, to) = (n / 3, n - (n / 5));
            Assert.Equal(bits[from..to].Sum(b => (long)b), BitAllocation.Share(total, from, to, n));
        });
        Assert.Equal(long.MaxValue / 2, BitAllocation.Share(long.MaxValue, 0, int.MaxValue / 2, int.MaxValue - 1)); // the products need 128 bits
        Assert.Equal(230, BitAllocation.Budget(100, 2.3));
        Assert.Equal(50, BitAllocation.Budget(100, 0.5));
    }

    [Fact]
    public void Zero_bit_coordinates_decode_to_zero()
    {
        var quantizer = new CubeQuantizer(10, 0.3);
        var u = Enumerable.Range(0, 10).Select(i => 0.5 + (0.01 * i)).ToArray();
        var (payload, q, _) = Encode(quantizer, u, 1);
        Assert.Equal(3, payload.BitLength);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(quantizer.BitsPerCoordinate[i] == 0, q[i] == 0);
        }
    }

    [Fact]
    public void Dither_error_averages_to_zero_where_plain_rounding_is_biased()
    {
        // A constant input at 1/3 of a cell: the cube quantizer errs the same way every time,
        // subtractive dither makes the error zero-mean across steps.
        const int steps = 4000;
        var u = new[] { 0.1 };
        var dithered = new DitheredCubeQuantizer(1, 2, seed: 5);
        var plain = new CubeQuantizer(1, 2);
        double ditheredSum = 0;
        for (var t = 0; t < steps; t++)
        {
            ditheredSum += Encode(dithered, u, 1, t).Q[0] - u[0];
        }

        var plainError = Encode(plain, u, 1).Q[0] - u[0];
        Assert.True(Math.Abs(ditheredSum / steps) < 0.02, $"dithered mean error {ditheredSum / steps}");
        Assert.True(Math.Abs(plainError) > 0.1, $"plain error {plainError}");
    }

    [Fact]
    public void Float64_codec_is_lossless_and_float32_rounds()
    {
        var u = new[] { Math.PI, -1e-300, 1e300, 0.1 };
        var (payload64, q64, _) = Encode(new FloatCodec(4, 64), u, 1);
        Assert.Equal(256, payload64.BitLength);
        Assert.Equal(u, q64);
        var (payload32, q32, overloads) = Encode(new FloatCodec(4, 32), u, 1);
        Assert.Equal(128, payload32.BitLength);
        Assert.Equal((double)(float)Math.PI, q32[0]);
        Assert.Equal(1, overloads);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_rate_is_refused_with_a_message(double rate)
    {
        var error = Assert.Throws<DiffQuantException>(() => new CubeQuantizer(10, rate));
        Assert.Contains("rate", error.Message);
    }

    [Fact]
    public void Invalid_range_and_nan_input_are_refused()
    {
        var quantizer = new CubeQuantizer(2, 4);
        Assert.Throws<DiffQuantException>(() => Encode(quantizer, [0.1, 0.2], 0));
        Assert.Throws<DiffQuantException>(() => Encode(quantizer, [0.1, double.NaN], 1));
        Assert.Throws<DiffQuantException>(() => Encode(quantizer, [0.1], 1));
    }
}
