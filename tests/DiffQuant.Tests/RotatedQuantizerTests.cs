using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;
using MathNet.Numerics.Distributions;

namespace DiffQuant.Tests;

/// <summary>The fast Hadamard transform, the random rotations built on it, and the rotated gain–shape code.</summary>
public class RotatedQuantizerTests
{
    private static double[] Gaussian(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1))];
    }

    /// <summary>A rotation's work buffer starts on a cache line for any length, and stays there through collections (it is pinned).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public unsafe void Work_buffers_start_on_a_cache_line(int length)
    {
        var buffers = Enumerable.Range(0, 16).Select(_ => new AlignedFloats(length)).ToArray();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var buffer in buffers)
        {
            var values = buffer.Slice(0, length);
            values.Fill(1);
            Assert.Equal(length, values.Length);
            fixed (float* first = values)
            {
                Assert.Equal(0u, (nuint)first % 64);
            }
        }
    }

    /// <summary>H against the O(P²) definition H_ij = (−1)^popcount(i AND j) for P = 1 … 256, SIMD and scalar paths bit for bit alike.</summary>
    [Fact]
    public void The_fast_transform_is_the_hadamard_matrix_on_every_path()
    {
        for (var p = 1; p <= 256; p <<= 1)
        {
            var x = Floats(p, p);
            var reference = new double[p];
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    reference[i] += (System.Numerics.BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? 1 : -1) * x[j];
                }
            }

            var (simd, scalar) = (x.ToArray(), x.ToArray());
            FastHadamard.Transform(simd);
            FastHadamard.Transform(scalar, scalar: true);
            Assert.Equal(scalar, simd);
            for (var i = 0; i < p; i++)
            {
                Assert.Equal(reference[i], simd[i], 1e-5 * Math.Sqrt(p));
            }
        }

        Assert.Contains("power-of-two length, got 12", Assert.Throws<DiffQuantException>(() => FastHadamard.Transform(new float[12])).Message);
    }

    /// <summary>Beyond one cache block the transform runs in phases (blocks, runs, the rest); H·H = P·I still holds and both paths agree.</summary>
    [Theory]
    [InlineData(FastHadamard.BlockLength * 2)]
    [InlineData(FastHadamard.BlockLength * 8)]
    [InlineData(FastHadamard.RunLength)]
    [InlineData(FastHadamard.BlockLength * 512)]
    public void A_long_transform_is_its_own_inverse_up_to_p(int p)
    {
        var x = Floats(p, 5);
        var y = x.ToArray();
        FastHadamard.Transform(y);
        var scalar = x.ToArray();
        FastHadamard.Transform(scalar, scalar: true);
        Assert.Equal(scalar, y);
        FastHadamard.Transform(y);
        for (var i = 0; i < p; i++)
        {
            Assert.Equal(x[i], y[i] / p, 1e-5);
        }
    }

    private static float[] Floats(int n, int seed) => [.. Gaussian(n, seed).Select(v => (float)v)];

    /// <summary>
    /// For every n from 0 to 300, every step's rotation keeps the norm and is undone by its inverse to binary32's
    /// precision (at any double scale, subnormal to near overflow), runs alike on both paths, and differs between steps.
    /// </summary>
    [Fact]
    public void Rotations_of_any_length_are_orthogonal_and_fresh_each_step()
    {
        for (var n = 0; n <= 300; n++)
        {
            var rotation = new HadamardRotation(n, seed: 42);
            foreach (var scale in (double[])[1, 1e300, 1e-300, 1e-320])
            {
                var x = Gaussian(n, n).Select(v => v * scale).ToArray();
                var tolerance = scale < 1e-310 ? 1e-2 : 1e-6; // subnormal inputs hold a few significant bits
                var norm = TestData.Norm([.. x.Select(v => v / scale)]);
                var y = x.ToArray();
                rotation.Forward(y, step: 3);
                Assert.Equal(norm, TestData.Norm([.. y.Select(v => v / scale)]), tolerance * Math.Max(1, norm));
                var scalar = x.ToArray();
                rotation.Forward(scalar, step: 3, scalar: true);
                Assert.Equal(scalar, y);
                var apart = new double[n];
                rotation.Forward(x, apart, step: 3);
                Assert.Equal(y, apart); // into another vector as in place
                if (n >= 16) // two steps share all n signs with probability 2^−n
                {
                    var other = x.ToArray();
                    rotation.Forward(other, step: 4);
                    Assert.NotEqual(y, other);
                }

                var back = new double[n];
                rotation.Inverse(y, back, step: 3);
                rotation.Inverse(y, step: 3, scalar: true);
                Assert.Equal(y, back);
                for (var i = 0; i < n; i++)
                {
                    Assert.Equal(x[i] / scale, y[i] / scale, tolerance);
                }
            }
        }
    }

    /// <summary>
    /// An inverse map that writes past the caches (non-temporal stores, from the output's first coordinate at the start
    /// of a 64-byte line) writes exactly what the plain one writes, at each of the eight places a double can have in a
    /// line, for lengths with and without a second block, with a head and tail around the aligned part — and nothing
    /// outside its output.
    /// </summary>
    [Fact]
    public void A_streamed_inverse_writes_what_a_plain_one_writes_at_every_alignment()
    {
        foreach (var n in (int[])[1, 3, 8, 13, 100, 1000, 4096, 5000])
        {
            var x = Gaussian(n, n + 1);
            var expected = new double[n];
            new HadamardRotation(n, 7, 0, new AlignedFloats(n), streams: false).Inverse(x, expected, step: 2);
            var streamed = new HadamardRotation(n, 7, 0, new AlignedFloats(n), streams: true);
            for (var offset = 0; offset < 8; offset++)
            {
                var buffer = Enumerable.Repeat(-0.5, n + 8).ToArray();
                streamed.Inverse(x, buffer.AsSpan(offset, n), step: 2);
                Assert.Equal(expected, buffer[offset..(offset + n)]);
                Assert.All(buffer[..offset].Concat(buffer[(offset + n)..]), v => Assert.Equal(-0.5, v));
            }
        }
    }

    /// <summary>
    /// Every rotated code runs its binary32 parts (the rotation, the lattices' lanes) at any scale of the doubles: the
    /// decoder rebuilds the encoder's output bit for bit, and the error relative to the input is the same at 10^±150, far
    /// beyond binary32's range, and at 10^±300, where ‖u‖² itself under- or overflows, as at 1.
    /// </summary>
    [Theory]
    [InlineData("rotated")]
    [InlineData("rotated-ec")]
    [InlineData("rotated-tcq")]
    [InlineData("e8")]
    [InlineData("d8")]
    public void Rotated_codes_work_at_any_scale(string code)
    {
        const int N = 100;
        var errors = new List<double>();
        foreach (var scale in (double[])[1, 1e150, 1e-150, 1e300, 1e-300])
        {
            var quantizer = QuantizerSpec.Parse(code, 2, 3).Create(N);
            var u = Gaussian(N, 4).Select(v => v * scale).ToArray();
            var context = new QuantizerContext(4 * scale, 1, quantizer.BudgetBits);
            var (q, decoded, writer) = (new double[N], new double[N], new BitWriter());
            quantizer.Encode(u, context, writer, q);
            var reader = new BitReader(writer.ToPayload());
            QuantizerSpec.Parse(code, 2, 3).Create(N).Decode(ref reader, context, decoded);
            Assert.Equal(q, decoded);
            errors.Add(TestData.Norm([.. u.Zip(q, (a, b) => (a - b) / scale)]) / TestData.Norm([.. u.Select(v => v / scale)]));
        }

        Assert.InRange(errors[0], 0.05, 0.5);
        Assert.All(errors, e => Assert.Equal(errors[0], e, 1e-3));
    }

    /// <summary>
    /// The rotated code quantizes Θu where the rotation leaves it, in binary32, and inverts its reconstructions from there;
    /// its payload's cells and its output are still, bit for bit, the definition's: chunk by chunk, v = Θu held as
    /// binary32 values w_i and their scale, cell_i = clamp(⌊w_i·c + 2^(b−1)⌋) in binary32 (c = scale/w), q = Θᵀ((cell_i + ½ − 2^(b−1))·w), each chunk's gain from its own norm before
    /// its cells — for lengths whose block overlap, split of b and chunks vary (one chunk, a whole one and one
    /// coordinate more, two and a part), fractional rates, and scales on the fast path and beyond it (10^±150); with
    /// cells packed straight from the buffer (AVX2) and through an array of them (the portable path).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_rotated_code_is_its_definition_bit_for_bit(bool portable)
    {
        const int B = RotatedQuantizer.ChunkLength;
        foreach (var n in (int[])[1, 7, 8, 13, 64, 100, 129, 300, 1000, B, B + 1, (2 * B) + 808])
        {
            foreach (var rate in (double[])[0.5, 1.3, 2, 2.7, 5.5, 6.4])
            {
                foreach (var scale in (double[])[1, 1e150, 1e-150])
                {
                    if (BitAllocation.Budget(n, rate) <= RotatedQuantizer.GainBits(n))
                    {
                        continue; // no bits beyond the gain: refused (tested apart)
                    }

                    var quantizer = new RotatedQuantizer(n, rate, 11, portable);
                    var u = Gaussian(n, n + (int)(10 * rate)).Select(v => v * scale).ToArray();
                    var context = new QuantizerContext(3 * scale, 2, quantizer.BudgetBits);
                    var (q, writer) = (new double[n], new BitWriter());
                    var overloads = quantizer.Encode(u, context, writer, q);

                    var (expected, cells, clipped) = Definition(u, context, quantizer.BudgetBits);
                    Assert.Equal(expected, q);
                    Assert.Equal(clipped, overloads);
                    var decoded = new double[n];
                    var received = new BitReader(writer.ToPayload());
                    new RotatedQuantizer(n, rate, 11, portable).Decode(ref received, context, decoded);
                    Assert.Equal(q, decoded);
                    Assert.Equal(quantizer.BudgetBits, writer.BitLength);
                    var reader = new BitReader(writer.ToPayload());
                    var coded = quantizer.BudgetBits - RotatedQuantizer.GainBits(n);
                    for (var i = 0; i < n; i++)
                    {
                        if (i % B == 0)
                        {
                            var chunk = u[i..Math.Min(n, i + B)];
                            Assert.Equal(RotatedQuantizer.GainIndex(TestData.Norm(chunk) / Math.Sqrt(chunk.Length), context.Range), (int)reader.Read(RotatedQuantizer.ScaleBits));
                        }

                        var bits = ChunkBits(coded, n, i);
                        Assert.Equal(cells[i], bits == 0 ? 0 : reader.Read(bits));
                    }
                }
            }
        }

        static (double[] Q, ulong[] Cells, int Clipped) Definition(double[] u, QuantizerContext context, long budget)
        {
            var (n, q) = (u.Length, new double[u.Length]);
            var coded = budget - RotatedQuantizer.GainBits(n);
            var (cells, clipped) = (new ulong[n], 0);
            for (var start = 0; start < n; start += B)
            {
                var length = Math.Min(B, n - start);
                var rotation = new HadamardRotation(length, 11, start, new AlignedFloats(length), streams: false);
                var w = rotation.ForwardToWork(u.AsSpan(start, length), context.Step, out var scales).ToArray(); // v_j = w_j·scale_j
                var v = new double[length];
                var sigma = RotatedQuantizer.Gain(context.Range, RotatedQuantizer.GainIndex(TestData.Norm(u[start..(start + length)]) / Math.Sqrt(length), context.Range));
                for (var j = 0; j < length; j++)
                {
                    var bits = ChunkBits(coded, n, start + j);
                    if (bits == 0)
                    {
                        v[j] = 0;
                        continue;
                    }

                    // The cell is decided in binary32 on the rotation's binary32 value: ⌊w_j·c + 2^(b−1)⌋, c = (float)(scale/w).
                    var (width, half) = (RotatedQuantizer.GaussianSteps[bits - 1] * sigma, Math.ScaleB(1.0, bits - 1));
                    var c = (float)Math.Min((j < scales.Split ? scales.Head : scales.Tail) * (1 / width), float.MaxValue);
                    var product = w[j] * c;
                    var position = (double)MathF.Floor(product + (float)half);
                    var cell = Math.Clamp(position, 0, (2 * half) - 1);
                    clipped += cell == position ? 0 : 1;
                    cells[start + j] = (ulong)cell;
                    v[j] = (cell + 0.5 - half) * width;
                }

                rotation.Inverse(v, step: context.Step);
                v.CopyTo(q, start);
            }

            return (q, cells, clipped);
        }

        // Coordinate i's bits: its chunk's share of the coded bits, floor(T·e/n) − floor(T·s/n), spread over the chunk with the extra bits first.
        static int ChunkBits(long coded, int n, int i)
        {
            var start = i / B * B;
            var length = Math.Min(B, n - start);
            var share = (long)Math.Floor((double)coded * (start + length) / n) - (long)Math.Floor((double)coded * start / n);
            return (int)((share / length) + (i - start < share % length ? 1 : 0));
        }
    }

    /// <summary>
    /// The coded bits go to the chunks in proportion to their lengths, so at a rate below one bit per coordinate every
    /// chunk keeps a random subspace of its own coordinates: at R = 0.5 each chunk of a Gaussian vector, the short last
    /// one included, has the relative error of half its coordinates coded with one bit, √((1 + (1 − 2/π))/2) ≈ 0.83
    /// (a split of the bits over the whole vector, extra bits first, would leave the last chunks with none, an error of 1).
    /// </summary>
    [Fact]
    public void Every_chunk_gets_its_share_of_a_fractional_rate()
    {
        const int B = RotatedQuantizer.ChunkLength;
        var n = (3 * B) + 808;
        var quantizer = new RotatedQuantizer(n, 0.5, 3);
        var u = Gaussian(n, 9);
        var q = new double[n];
        quantizer.Encode(u, new QuantizerContext(4, 1, quantizer.BudgetBits), new BitWriter(), q);
        for (var start = 0; start < n; start += B)
        {
            var (chunk, coded) = (u[start..Math.Min(n, start + B)], q[start..Math.Min(n, start + B)]);
            var error = TestData.Norm([.. chunk.Zip(coded, (a, b) => a - b)]) / TestData.Norm(chunk);
            Assert.InRange(error, 0.8, 0.86);
        }
    }

    /// <summary>
    /// A longer vector is coded chunk by chunk, each chunk with its own gain (5 bits a chunk): a chunk 20× quieter than
    /// the one before it keeps the relative error of a 2-bit Gaussian code (a single gain, set by the loud chunk, would
    /// leave its coordinates in the two middle cells, an error of several times the chunk's norm).
    /// </summary>
    [Fact]
    public void Each_chunk_has_its_own_gain()
    {
        const int B = RotatedQuantizer.ChunkLength;
        Assert.Equal([0L, 5, 5, 10, 15], ((int[])[0, 1, B, B + 1, (2 * B) + 1]).Select(RotatedQuantizer.GainBits));
        var n = 2 * B;
        var u = Gaussian(n, 5);
        for (var i = B; i < n; i++)
        {
            u[i] /= 20;
        }

        var quantizer = new RotatedQuantizer(n, 2, 3);
        var q = new double[n];
        quantizer.Encode(u, new QuantizerContext(4, 1, quantizer.BudgetBits), new BitWriter(), q);
        foreach (var start in (int[])[0, B])
        {
            var (chunk, coded) = (u[start..(start + B)], q[start..(start + B)]);
            var error = TestData.Norm([.. chunk.Zip(coded, (a, b) => a - b)]) / TestData.Norm(chunk);
            Assert.InRange(error, 0.2, 0.4);
        }
    }

    /// <summary>
    /// A vector long enough for the code to fetch ahead (<see cref="Lookahead.MinLength"/> and a partial chunk more)
    /// gives, with its wide fields, the same payload, output and decoding as the portable path through an array of
    /// cells, at a rate of b ≤ 3 (sixteen cells a field) and one above it (eight); and so does one long enough for its
    /// outputs to be written past the caches (<see cref="HadamardRotation.StreamedLength"/>; the portable path stores plainly).
    /// </summary>
    [Theory]
    [InlineData(2.0, Lookahead.MinLength + 1000)]
    [InlineData(4.5, Lookahead.MinLength + 1000)]
    [InlineData(2.0, HadamardRotation.StreamedLength + 1000)]
    public void A_long_vector_codes_as_the_portable_path(double rate, int n)
    {
        var u = Gaussian(n, 9);
        var context = new QuantizerContext(4, 3, long.MaxValue);
        var runs = ((bool[])[false, true]).Select(portable =>
        {
            var (writer, q, decoded) = (new BitWriter(), new double[n], new double[n]);
            var overloads = new RotatedQuantizer(n, rate, 5, portable).Encode(u, context, writer, q);
            var reader = new BitReader(writer.ToPayload());
            new RotatedQuantizer(n, rate, 5, portable).Decode(ref reader, context, decoded);
            return (Bytes: writer.ToPayload().Bytes.ToArray(), writer.BitLength, q, decoded, overloads);
        }).ToArray();
        Assert.Equal(runs[1].BitLength, runs[0].BitLength);
        Assert.Equal(runs[1].Bytes, runs[0].Bytes);
        Assert.Equal(runs[1].q, runs[0].q);
        Assert.Equal(runs[0].q, runs[0].decoded);
        Assert.Equal(runs[1].decoded, runs[0].decoded);
        Assert.Equal(runs[1].overloads, runs[0].overloads);
    }

    /// <summary>
    /// The rotated codes' check of their input: max |u_i| exactly for finite inputs of every length 0…100, and not finite
    /// when any one coordinate is NaN or ±∞, wherever it sits (in the four-way SIMD body or the tail).
    /// </summary>
    [Fact]
    public void The_largest_magnitude_is_exact_and_sees_every_non_finite_coordinate()
    {
        for (var n = 0; n <= 100; n++)
        {
            var u = Gaussian(n, n);
            Assert.Equal(n == 0 ? 0 : u.Max(Math.Abs), RotatedCode.LargestMagnitude(u));
            for (var i = 0; i < n; i++)
            {
                foreach (var bad in (double[])[double.NaN, double.PositiveInfinity, double.NegativeInfinity])
                {
                    var v = u.ToArray();
                    v[i] = bad;
                    Assert.False(double.IsFinite(RotatedCode.LargestMagnitude(v)));
                }
            }
        }
    }

    /// <summary>The table of Δ_b is part of the code; each entry is within 0.1% of the mean-square optimum recomputed here.</summary>
    [Fact]
    public void The_gaussian_steps_are_the_optimal_uniform_steps()
    {
        for (var b = 1; b <= RotatedQuantizer.MaxBitsPerCoordinate; b++)
        {
            var levels = 1 << b;
            var (low, high) = (1e-5, 4.0);
            var golden = (Math.Sqrt(5) - 1) / 2;
            for (var i = 0; i < 200; i++)
            {
                var (c, d) = (high - (golden * (high - low)), low + (golden * (high - low)));
                (low, high) = MeanSquare(levels, c) < MeanSquare(levels, d) ? (low, d) : (c, high);
            }

            var optimum = MeanSquare(levels, (low + high) / 2);
            Assert.InRange(MeanSquare(levels, RotatedQuantizer.GaussianSteps[b - 1]), optimum, optimum * 1.001);
        }
    }

    /// <summary>E(X − Q(X))² for X ~ N(0, 1) and the midrise quantizer of <paramref name="levels"/> cells of width <paramref name="step"/>.</summary>
    private static double MeanSquare(int levels, double step)
    {
        double sum = 0;
        for (var j = 0; j < levels; j++)
        {
            var a = j == 0 ? double.NegativeInfinity : (j - (levels / 2)) * step;
            var b = j == levels - 1 ? double.PositiveInfinity : (j + 1 - (levels / 2)) * step;
            var y = (j + 0.5 - (levels / 2)) * step;
            var (pa, pb) = (Normal.CDF(0, 1, a), Normal.CDF(0, 1, b));
            var (fa, fb) = (double.IsInfinity(a) ? 0 : Normal.PDF(0, 1, a), double.IsInfinity(b) ? 0 : Normal.PDF(0, 1, b));
            var (afa, bfb) = (double.IsInfinity(a) ? 0 : a * fa, double.IsInfinity(b) ? 0 : b * fb);
            sum += ((1 + (y * y)) * (pb - pa)) - (2 * y * (fa - fb)) + (afa - bfb);
        }

        return sum;
    }

    /// <summary>
    /// On a vector with a few large coordinates (what a cube code wastes its range on) the relative error is within 10%
    /// of √E(X − Q(X))² of the Gaussian source at the code's rate, far below the cube's √n·2^−R, at every rate from 1 to 6.
    /// </summary>
    [Theory]
    [InlineData(100)]
    [InlineData(1024)]
    public void The_relative_error_is_that_of_a_gaussian_source(int n)
    {
        var random = new Random(3);
        for (var rate = 1; rate <= 6; rate++)
        {
            var quantizer = new RotatedQuantizer(n, rate + ((double)RotatedQuantizer.ScaleBits / n), seed: 8);
            double sum = 0;
            const int Trials = 50;
            for (var t = 0; t < Trials; t++)
            {
                var u = Enumerable.Range(0, n).Select(_ => (random.NextDouble() < 0.05 ? 30 : 1) * (random.NextDouble() - 0.5)).ToArray();
                var q = new double[n];
                quantizer.Encode(u, new QuantizerContext(u.Max(Math.Abs), t, quantizer.BudgetBits), new BitWriter(), q);
                sum += TestData.Norm(q.Zip(u, (a, b) => a - b).ToArray()) / TestData.Norm(u);
            }

            var gaussian = Math.Sqrt(MeanSquare(1 << rate, RotatedQuantizer.GaussianSteps[rate - 1]));
            Assert.InRange(sum / Trials, 0.9 * gaussian, 1.1 * gaussian);
        }
    }

    [Fact]
    public void Too_few_bits_too_many_bits_and_non_finite_inputs_are_refused()
    {
        Assert.Contains("needs more than its 5 bits of gains", Assert.Throws<DiffQuantException>(() => new RotatedQuantizer(100, 0.05, 1)).Message);
        Assert.Contains("needs more than its 15 bits of gains", Assert.Throws<DiffQuantException>(() => new RotatedQuantizer((2 * RotatedQuantizer.ChunkLength) + 1, 15.0 / ((2 * RotatedQuantizer.ChunkLength) + 1), 1)).Message);
        Assert.Contains("at most 16 bits a coordinate", Assert.Throws<DiffQuantException>(() => new RotatedQuantizer(100, 17, 1)).Message);
        var quantizer = new RotatedQuantizer(4, 4, 1);
        Assert.Contains("NaN or infinite coordinate", Assert.Throws<DiffQuantException>(() => quantizer.Encode([1, double.NaN, 0, 0], new QuantizerContext(1, 0, 16), new BitWriter(), new double[4])).Message);
        var n = RotatedQuantizer.ChunkLength + 100;
        var chunked = new RotatedQuantizer(n, 2, 1);
        foreach (var bad in (double[])[double.NaN, double.PositiveInfinity])
        {
            var u = new double[n];
            u[n - 1] = bad; // in the second chunk, met by its load
            Assert.Contains("NaN or infinite coordinate", Assert.Throws<DiffQuantException>(() => chunked.Encode(u, new QuantizerContext(1, 0, chunked.BudgetBits), new BitWriter(), new double[n])).Message);
        }
    }

    /// <summary>The code clips, so the worst-case schedules (built on a covering radius) refuse it; adaptive ranges take it.</summary>
    [Theory]
    [InlineData("worst-case")]
    [InlineData("paper")]
    public void Worst_case_ranges_refuse_a_clipping_code(string range)
    {
        var config = new MethodConfig { Method = MethodSpec.Parse("nq-gd"), Quantizer = QuantizerSpec.Parse("rotated", 2), Dimension = 10, Range = RangePolicyNames.Parse(range) };
        Assert.Contains("clips instead, so use --range adaptive", Assert.Throws<DiffQuantException>(config.Validate).Message);
        (config with { Range = RangePolicyKind.Adaptive }).Validate();
    }

    /// <summary>
    /// The phase transition: with the rotated code and adaptive ranges, DQ-GD contracts within 2% of unquantized GD from
    /// R = 2 bits per coordinate (the paper's cube needs about 5), and DQ-HB reaches 1e-9 on the Gaussian problem in
    /// under 1.7 × the volume floor of bits per coordinate.
    /// </summary>
    [Fact]
    public void Dq_contracts_at_the_unquantized_rate_from_two_bits()
    {
        var problem = GaussianEnsemble.Create(1000, 100, null, 4);
        var x0 = TestData.InitialPoint(100, 4);
        var stop = new StopRule { TargetRelativeError = 1e-9, MaxIterations = 500 };
        RunResult Run(string method, string quantizer, double rate) => LocalRun.Execute(
            problem,
            new MethodConfig { Method = MethodSpec.Parse(method), Quantizer = QuantizerSpec.Parse(quantizer, rate, 7), Dimension = 100, Range = RangePolicyKind.Adaptive },
            x0,
            stop);

        var gd = Run("gd", "float64", 64);
        var dq = Run("dq-gd", "rotated", 2);
        Assert.Equal(ExitReason.TargetReached, dq.ExitReason);
        Assert.InRange(dq.EmpiricalRate, gd.EmpiricalRate * 0.98, gd.EmpiricalRate * 1.02);

        var hb = Run("dq-hb", "rotated", 2);
        Assert.Equal(ExitReason.TargetReached, hb.ExitReason);
        Assert.True((double)hb.UplinkBits / 100 < 1.7 * DiffQuant.Theory.Bounds.VolumeFloor(1e-9), $"{hb.UplinkBits / 100.0} bits per coordinate");
    }
}
