using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;
using MathNet.Numerics;

namespace DiffQuant.Tests;

/// <summary>The portable math, the range coder, the Gaussian model and the entropy-coded rotated code built on them.</summary>
public class EntropyCodedQuantizerTests
{
    [Fact]
    public void Portable_math_matches_the_platform_functions()
    {
        for (var x = -700.0; x <= 700; x += 0.37)
        {
            Assert.Equal(Math.Exp(x), PortableMath.Exp(x), Math.Exp(x) * 1e-14);
        }

        for (var x = 1e-300; x < 1e300; x *= 1.7)
        {
            Assert.Equal(Math.Log2(x), PortableMath.Log2(x), 1e-12 * Math.Max(1, Math.Abs(Math.Log2(x))));
        }

        for (var z = -3.0; z <= 12; z += 0.01)
        {
            Assert.Equal(SpecialFunctions.Erfc(z), PortableMath.Erfc(z), SpecialFunctions.Erfc(z) * 1.2e-7);
        }

        Assert.Equal((0.0, double.NegativeInfinity, double.PositiveInfinity), (PortableMath.Exp(-800), PortableMath.Log2(0), PortableMath.Exp(710)));
        Assert.True(double.IsNaN(PortableMath.Log2(-1)));
    }

    /// <summary>x·2^(k/d) to an ulp or two, and a coarser grid's points are the finest grid's points bit for bit.</summary>
    [Fact]
    public void Octave_scales_are_powers_of_two_on_nested_grids()
    {
        for (var k = -100; k <= 100; k++)
        {
            Assert.Equal(Math.Pow(2, k / 16.0) * 3, OctaveScale.Scale(3, k, 16), Math.Pow(2, k / 16.0) * 3 * 1e-15);
            Assert.Equal(OctaveScale.Scale(3, 4 * k, 16), OctaveScale.Scale(3, k, 4));
            Assert.Equal(OctaveScale.Scale(3, 2 * k, 8), OctaveScale.Scale(3, k, 4));
        }

        Assert.Contains("1, 2, 4, 8 or 16 steps", Assert.Throws<DiffQuantException>(() => OctaveScale.Scale(1, 1, 3)).Message);
    }

    private static readonly Gen<(uint[] Frequencies, int[] Symbols, int TotalBits)> Streams =
        Gen.Int[1, RangeEncoder.MaxTotalBits].SelectMany(bits =>
            Gen.Int[1, 40].SelectMany(count =>
                Gen.UInt[1, 1000].Array[count].SelectMany(weights =>
                    Gen.Int[0, count - 1].Array[0, 400].Select(symbols => (Normalize(weights, bits), symbols, bits)))))
            .Where(t => t.Item1.Length > 0);

    /// <summary>Scales weights to frequencies ≥ 1 summing to at most 2^bits (as many symbols as fit).</summary>
    private static uint[] Normalize(uint[] weights, int bits)
    {
        var total = 1u << bits;
        var kept = weights.Take((int)Math.Min(weights.Length, total)).ToArray();
        var spread = total - (uint)kept.Length;
        var sum = kept.Sum(w => (double)w);
        return [.. kept.Select(w => 1 + (uint)Math.Floor(w / sum * spread))];
    }

    /// <summary>
    /// Any symbols under any frequencies (and raw bits between them) decode back, and the code is at most 8 bits longer
    /// than their information content Σ (totalBits − log2 f), plus 2^−7 bit a symbol for the coder's rounding.
    /// </summary>
    [Fact]
    public void The_range_coder_round_trips_at_the_information_content()
    {
        var encoder = new RangeEncoder();
        TestData.ForEachCase(Streams, 400, c =>
        {
            var (frequencies, symbols, bits) = c;
            var cumulative = new uint[frequencies.Length + 1];
            for (var i = 0; i < frequencies.Length; i++)
            {
                cumulative[i + 1] = cumulative[i] + frequencies[i];
            }

            var valid = symbols.Where(s => s < frequencies.Length).ToArray();
            encoder.Reset();
            var information = 0.0;
            foreach (var s in valid)
            {
                encoder.Encode(cumulative[s], frequencies[s], bits);
                encoder.EncodeBits((uint)s, 5);
                information += bits - Math.Log2(frequencies[s]) + 5;
            }

            var length = encoder.Finish();
            Assert.InRange(length, 0, information + 8 + (valid.Length / 128.0));
            var writer = new BitWriter();
            encoder.CopyTo(writer, length);
            var payload = writer.ToPayload();
            var decoder = new RangeDecoder(payload.Bytes.Span);
            foreach (var s in valid)
            {
                var target = decoder.GetTarget(bits);
                var symbol = Array.FindLastIndex(cumulative, x => x <= target);
                Assert.Equal(s, symbol);
                decoder.Consume(cumulative[symbol], frequencies[symbol]);
                Assert.Equal((uint)s & 31, decoder.DecodeBits(5));
            }
        });
    }

    /// <summary>Frequencies fill 2^15 with none zero, cost falls as the step grows, and ForRate picks the finest that fits.</summary>
    [Fact]
    public void The_gaussian_model_is_a_full_table_and_fits_its_rate()
    {
        foreach (var cells in Enum.GetValues<MagnitudeCells>())
        {
            for (var e = -272; e <= 48; e += 7)
            {
                var model = new GaussianMagnitudeModel(e, cells);
                Assert.Equal(1u << GaussianMagnitudeModel.TotalBits, model.Cumulative(model.Levels - 1) + model.Frequency(model.Levels - 1));
                Assert.All(Enumerable.Range(0, model.Levels), level => Assert.True(model.Frequency(level) >= 1));
                Assert.InRange(model.Levels, 2, 65);
                Assert.True(new GaussianMagnitudeModel(e + 7, cells).BitsPerCoordinate < model.BitsPerCoordinate);
            }
        }

        foreach (var rate in new[] { 0.3, 1, 1.9, 4, 9.5, 15 })
        {
            var model = GaussianMagnitudeModel.ForRate(rate)[0];
            Assert.True(model.BitsPerCoordinate <= rate);
            Assert.True(new GaussianMagnitudeModel(model.StepExponent - 1).BitsPerCoordinate > rate);

            // High-rate theory: H ≈ log2(√(2πe)/t).
            if (rate >= 4)
            {
                Assert.Equal(Math.Log2(Math.Sqrt(2 * Math.PI * Math.E)) - (model.StepExponent / 16.0), model.BitsPerCoordinate, 0.1);
            }
        }
    }

    /// <summary>A cell's centroid lies inside it, below its midpoint (the density falls across it), and near it at fine steps.</summary>
    [Fact]
    public void Magnitudes_decode_to_their_cell_centroids()
    {
        var coarse = new GaussianMagnitudeModel(16); // t = 2
        Assert.Equal(0, coarse.Reconstruction(0));
        for (var k = 1; k < coarse.MaxMagnitude; k++)
        {
            Assert.InRange(coarse.Reconstruction(k), k - 0.5, k - 0.01);
        }

        var fine = new GaussianMagnitudeModel(-64); // t = 1/16
        Assert.Equal(1, fine.Reconstruction(1), 0.01);
        Assert.Equal(1000, fine.Reconstruction(1000));
    }

    /// <summary>
    /// At every rate from 1.5 to 8 bits a coordinate (n = 1024) the relative error is within 1.3 × 2^−R, against the
    /// Gaussian bound 2^−R; and below the fixed-rate rotated code's from 2 bits, by more as the rate grows.
    /// </summary>
    [Fact]
    public void The_error_is_within_a_third_of_a_bit_of_the_gaussian_bound()
    {
        const int N = 1024;
        var random = new Random(3);
        foreach (var rate in new[] { 1.5, 2, 3, 4, 6, 8 })
        {
            var (coded, fixedRate) = (new EntropyCodedRotatedQuantizer(N, rate, seed: 8), new RotatedQuantizer(N, rate, seed: 8));
            var (sum, fixedSum) = (0.0, 0.0);
            const int Trials = 20;
            for (var t = 0; t < Trials; t++)
            {
                var u = Enumerable.Range(0, N).Select(_ => (random.NextDouble() < 0.05 ? 30 : 1) * (random.NextDouble() - 0.5)).ToArray();
                sum += RelativeError(coded, u, t);
                fixedSum += RelativeError(fixedRate, u, t);
            }

            Assert.InRange(sum / Trials, 0, 1.3 * Math.Pow(2, -rate));
            if (rate >= 2)
            {
                Assert.True(sum < fixedSum * (rate >= 4 ? 0.8 : 0.95), $"R = {rate}: {sum / Trials} vs the fixed-rate code's {fixedSum / Trials}");
            }
        }
    }

    /// <summary>
    /// The trellis codes (TCQ with a priced Viterbi search) have a smaller error than the uniform one at the same budget
    /// from 1.5 bits a coordinate (n = 1024), by more at 4 bits: their cells pack sequences like a lattice; and the
    /// 64-state trellis of <c>rotated-tcq</c> packs them better than the 4-state one.
    /// </summary>
    [Fact]
    public void The_trellis_codes_beat_the_uniform_one_and_more_states_beat_fewer()
    {
        const int N = 1024;
        foreach (var rate in new[] { 1.5, 2, 4 })
        {
            var codes = new[] { ScalarTrellis.SixtyFourState, ScalarTrellis.FourState, ScalarTrellis.Single }.Select(t => new EntropyCodedRotatedQuantizer(N, rate, 8, t)).ToArray();
            var sums = new double[codes.Length];
            for (var t = 0; t < 10; t++)
            {
                var u = DiffQuant.Problems.GaussianSource.Vector(N, t + 1, DiffQuant.Problems.GaussianSource.Stream.Target);
                for (var c = 0; c < codes.Length; c++)
                {
                    sums[c] += RelativeError(codes[c], u, t);
                }
            }

            Assert.True(sums[0] < sums[1] * 0.99, $"R = {rate}: 64 states {sums[0] / 10} vs 4 states {sums[1] / 10}");
            Assert.True(sums[1] < sums[2] * (rate >= 4 ? 0.95 : 0.99), $"R = {rate}: 4 states {sums[1] / 10} vs uniform {sums[2] / 10}");
        }
    }

    /// <summary>
    /// The trellises from parity checks: (5, 2) is VVC's 4-state table; every state of the 64-state one has two branches
    /// out and two in, its even-codebook states are the first half, and every state is reachable from state 0.
    /// </summary>
    [Fact]
    public void The_trellises_are_vvc_s_and_a_connected_64_state_code()
    {
        var four = ScalarTrellis.FourState;
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(four.Codebook));
        Assert.Equal([0, 2, 2, 0, 1, 3, 3, 1], Enumerable.Range(0, 8).Select(i => four.Next(i / 2, i % 2)));

        var trellis = ScalarTrellis.SixtyFourState;
        Assert.Equal(64, trellis.States);
        Assert.Equal(Enumerable.Range(0, 64).Select(s => s >= 32 ? 1 : 0), Enumerable.Range(0, 64).Select(trellis.Codebook));
        for (var t = 0; t < 64; t++)
        {
            foreach (var branch in new[] { 0, 1 })
            {
                var (from, parity) = trellis.Into(t, branch);
                Assert.Equal(t, trellis.Next(from, parity));
            }
        }

        var reached = new HashSet<int> { 0 };
        for (var depth = 0; depth < 6; depth++)
        {
            reached.UnionWith(reached.SelectMany(s => new[] { trellis.Next(s, 0), trellis.Next(s, 1) }).ToList());
        }

        Assert.Equal(64, reached.Count);
    }

    /// <summary>
    /// On a link the steps are named by their change from the last ones (<see cref="StepHistory"/>): over a contracting
    /// sequence with a jump (an escape) and a zero vector, the decoder — with its own history — reproduces every q bit for
    /// bit from exactly the budget, the histories stay equal, and the error is smaller than without a history (the bits
    /// the 7-bit index no longer takes go to the coordinates).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_link_names_its_steps_by_their_change_and_decodes_bit_for_bit(bool trellis)
    {
        const int N = 100;
        var code = trellis ? ScalarTrellis.SixtyFourState : ScalarTrellis.Single;
        var (encoder, decoder, lone) = (new EntropyCodedRotatedQuantizer(N, 1.8, 4, code), new EntropyCodedRotatedQuantizer(N, 1.8, 4, code), new EntropyCodedRotatedQuantizer(N, 1.8, 4, code));
        var (sent, received) = (new StepHistory(), new StepHistory());
        var scales = Enumerable.Range(0, 16).Select(m => Math.Pow(0.37, m)).Concat([1e3, 0, 370, 137]).ToArray();
        var (withHistory, without) = (0.0, 0.0);
        for (var m = 0; m < scales.Length; m++)
        {
            var u = GaussianSource.Vector(N, m + 1, GaussianSource.Stream.Target).Select(x => x * scales[m]).ToArray();
            var range = Math.Max(u.Max(Math.Abs), 1e-300);
            var writer = new BitWriter();
            var q = new double[N];
            encoder.Encode(u, new QuantizerContext(range, m, encoder.BudgetBits, sent), writer, q);
            Assert.Equal(encoder.BudgetBits, writer.BitLength);
            var reader = new BitReader(writer.ToPayload());
            var decoded = new double[N];
            decoder.Decode(ref reader, new QuantizerContext(range, m, decoder.BudgetBits, received), decoded);
            Assert.Equal(0, reader.Remaining);
            Assert.Equal(q.Select(BitConverter.DoubleToInt64Bits), decoded.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal((sent.LastStep, sent.CanPredict, sent.CanPredict ? sent.PredictedChange : 0), (received.LastStep, received.CanPredict, received.CanPredict ? received.PredictedChange : 0));
            if (scales[m] == 0)
            {
                Assert.All(q, x => Assert.Equal(0, x));
            }
            else if (m is >= 2 and < 16)
            {
                var alone = new double[N];
                lone.Encode(u, new QuantizerContext(range, m, lone.BudgetBits), new BitWriter(), alone);
                withHistory += TestData.Norm(q.Zip(u, (a, b) => a - b).ToArray()) / TestData.Norm(u);
                without += TestData.Norm(alone.Zip(u, (a, b) => a - b).ToArray()) / TestData.Norm(u);
            }
        }

        Assert.True(withHistory < without, $"{withHistory / 14} with the history vs {without / 14} without");
    }

    private static double RelativeError(IQuantizer quantizer, double[] u, long step)
    {
        var q = new double[u.Length];
        quantizer.Encode(u, new QuantizerContext(u.Max(Math.Abs), step, quantizer.BudgetBits), new BitWriter(), q);
        return TestData.Norm(q.Zip(u, (a, b) => a - b).ToArray()) / TestData.Norm(u);
    }

    /// <summary>The zero vector, and a vector no step fits (far above its range), send the 7-bit zero message and count the loss.</summary>
    [Fact]
    public void A_vector_no_step_fits_is_sent_as_zero_and_counted()
    {
        var quantizer = new EntropyCodedRotatedQuantizer(64, 1, seed: 2);
        var q = new double[64];
        Assert.Equal(0, quantizer.Encode(new double[64], new QuantizerContext(1, 0, 64), new BitWriter(), q));
        Assert.All(q, x => Assert.Equal(0, x));

        var huge = Enumerable.Range(0, 64).Select(i => 1e9 * (i % 3 - 1)).ToArray();
        var writer = new BitWriter();
        var overloads = quantizer.Encode(huge, new QuantizerContext(1e-3, 0, 64), writer, q);
        Assert.Equal(EntropyCodedRotatedQuantizer.ZeroMessage, (int)new BitReader(writer.ToPayload()).Read(EntropyCodedRotatedQuantizer.StepBits));
        Assert.Equal(64, overloads);
        Assert.All(q, x => Assert.Equal(0, x));
    }

    [Fact]
    public void Too_few_bits_and_non_finite_inputs_are_refused()
    {
        Assert.Contains("needs more than its 7-bit step", Assert.Throws<DiffQuantException>(() => new EntropyCodedRotatedQuantizer(100, 0.07, 1)).Message);
        var quantizer = new EntropyCodedRotatedQuantizer(4, 4, 1);
        Assert.Contains("NaN or infinite coordinate", Assert.Throws<DiffQuantException>(() => quantizer.Encode([1, double.PositiveInfinity, 0, 0], new QuantizerContext(1, 0, 16), new BitWriter(), new double[4])).Message);
        Assert.Contains("range must be a positive finite number", Assert.Throws<DiffQuantException>(() => quantizer.Encode([1, 0, 0, 0], new QuantizerContext(0, 0, 16), new BitWriter(), new double[4])).Message);
    }

    /// <summary>On the Gaussian problem DQ-HB reaches 1e-9 with fewer bits per coordinate under the entropy-coded code than under the fixed-rate one, at the same R.</summary>
    [Fact]
    public void Dq_hb_needs_fewer_bits_with_the_entropy_coded_code()
    {
        var problem = GaussianEnsemble.Create(1000, 100, null, 4);
        var x0 = TestData.InitialPoint(100, 4);
        var stop = new StopRule { TargetRelativeError = 1e-9, MaxIterations = 500 };
        RunResult Run(string quantizer) => LocalRun.Execute(
            problem,
            new MethodConfig { Method = MethodSpec.Parse("dq-hb"), Quantizer = QuantizerSpec.Parse(quantizer, 1.75, 7), Dimension = 100, Range = RangePolicyKind.Adaptive },
            x0,
            stop);

        var (coded, fixedRate) = (Run("rotated-ec"), Run("rotated"));
        Assert.Equal((ExitReason.TargetReached, ExitReason.TargetReached), (coded.ExitReason, fixedRate.ExitReason));
        Assert.True(coded.UplinkBits < fixedRate.UplinkBits, $"{coded.UplinkBits} vs {fixedRate.UplinkBits} bits");
        Assert.True((double)coded.UplinkBits / 100 < 1.5 * DiffQuant.Theory.Bounds.VolumeFloor(1e-9), $"{coded.UplinkBits / 100.0} bits per coordinate");
    }
}
