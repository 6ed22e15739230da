using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Problems;
using DiffQuant.Quantization;

namespace DiffQuant.Tests;

/// <summary>The block lattices E8 and D8, their Voronoi codes, and the rotated code with lattice blocks.</summary>
public class LatticeQuantizerTests
{
    public static TheoryData<string> Lattices => ["E8", "D8"];

    private static BlockLattice Lattice(string name) => name == "E8" ? E8Lattice.Instance : D8Lattice.Instance;

    /// <summary>
    /// Every lattice point within a few units of y, enumerated from D8 (and D8 + ½ for E8) by brute force: the
    /// closest-point map finds one at the least distance.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lattices))]
    public void The_closest_point_is_nearest_among_all_nearby_lattice_points(string name)
    {
        var lattice = Lattice(name);
        var random = new Random(1);
        Span<long> doubled = stackalloc long[8];
        for (var trial = 0; trial < 300; trial++)
        {
            var y = Enumerable.Range(0, 8).Select(_ => (random.NextDouble() - 0.5) * 6).ToArray();
            lattice.ClosestPoint(y, doubled);
            Assert.True(IsMember(lattice, doubled));
            var found = Distance(y, doubled);
            Assert.Equal(BruteForce(y, lattice == E8Lattice.Instance ? [0.0, 0.5] : [0.0]), found, 1e-12);
        }
    }

    /// <summary>
    /// The transposition of eight registers moves lane l of register k to lane k of register l, on the shuffle path and
    /// the forced lane-move path alike, and twice is the identity.
    /// </summary>
    [Fact]
    public void Transposing_eight_registers_swaps_lanes_and_registers()
    {
        var random = new Random(5);
        var cells = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray();
        foreach (var scalar in (bool[])[false, true])
        {
            var lanes = default(BlockLanes);
            for (var k = 0; k < 8; k++)
            {
                lanes[k] = System.Runtime.Intrinsics.Vector256.Create<float>(cells.AsSpan(8 * k, 8));
            }

            BlockLanes.Transpose(ref lanes, scalar);
            for (var k = 0; k < 8; k++)
            {
                for (var l = 0; l < 8; l++)
                {
                    Assert.Equal(cells[(8 * l) + k], lanes[k][l]);
                }
            }

            BlockLanes.Transpose(ref lanes, scalar);
            for (var k = 0; k < 8; k++)
            {
                for (var l = 0; l < 8; l++)
                {
                    Assert.Equal(cells[(8 * k) + l], lanes[k][l]);
                }
            }
        }
    }

    /// <summary>
    /// The reach is the largest inner product of 2λ with a Voronoi-relevant vector (E8: its 240 roots; D8: its 112),
    /// against all of them; a point with reach below 2M decodes to itself in the Voronoi code of 2^b, one above it never does.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lattices))]
    public void The_reach_is_the_largest_inner_product_with_a_relevant_vector(string name)
    {
        var lattice = Lattice(name);
        var roots = Roots(lattice == E8Lattice.Instance);
        var random = new Random(7);
        Span<long> point = stackalloc long[8];
        Span<long> index = stackalloc long[8];
        Span<long> back = stackalloc long[8];
        var (inside, outside) = (0, 0);
        for (var trial = 0; trial < 3000; trial++)
        {
            var scale = ((double[])[3, 8, 12])[trial % 3];
            var y = Enumerable.Range(0, 8).Select(_ => (random.NextDouble() - 0.5) * scale).ToArray();
            lattice.ClosestPoint(y, point);
            var lanes = default(BlockLanes);
            for (var k = 0; k < 8; k++)
            {
                lanes[k] = System.Runtime.Intrinsics.Vector256.CreateScalar((float)point[k]);
            }

            var reach = lattice.Reach(lanes)[0];
            var p = point.ToArray();
            Assert.Equal(roots.Max(r => r.Select((c, i) => c * p[i]).Sum()), reach);
            const int Bits = 2;
            lattice.ToIndex(point, Bits, index);
            lattice.FromIndex(index, Bits, back);
            if (reach < 2 << Bits)
            {
                inside++;
                Assert.True(back.SequenceEqual(point));
            }
            else if (reach > 2 << Bits)
            {
                outside++;
                Assert.False(back.SequenceEqual(point));
            }
        }

        Assert.True(inside > 300 && outside > 300, $"{inside} inside, {outside} outside");
    }

    /// <summary>The roots ±e_i ± e_j and, for E8, the (±½)⁸ with an even number of minus signs.</summary>
    private static List<double[]> Roots(bool e8)
    {
        var roots = new List<double[]>();
        for (var i = 0; i < 8; i++)
        {
            for (var j = i + 1; j < 8; j++)
            {
                foreach (var (a, b) in ((int, int)[])[(1, 1), (1, -1), (-1, 1), (-1, -1)])
                {
                    var r = new double[8];
                    (r[i], r[j]) = (a, b);
                    roots.Add(r);
                }
            }
        }

        for (var signs = 0; e8 && signs < 256; signs++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)signs) % 2 == 0)
            {
                roots.Add([.. Enumerable.Range(0, 8).Select(k => (signs >> k & 1) == 1 ? -0.5 : 0.5)]);
            }
        }

        Assert.Equal(e8 ? 240 : 112, roots.Count);
        return roots;
    }

    /// <summary>Whether 2λ is a point of the lattice: λ integral (or, in E8, all half-odd) with an even sum.</summary>
    private static bool IsMember(BlockLattice lattice, ReadOnlySpan<long> doubled)
    {
        var odd = doubled[0] & 1;
        if (odd == 1 && lattice != E8Lattice.Instance)
        {
            return false;
        }

        long sum = 0;
        foreach (var d in doubled)
        {
            if ((d & 1) != odd)
            {
                return false;
            }

            sum += d;
        }

        return sum % 4 == 0; // Σλ even: Σ 2λ ≡ 0 (mod 4)
    }

    private static double Distance(double[] y, ReadOnlySpan<long> doubled)
    {
        var sum = 0.0;
        for (var i = 0; i < 8; i++)
        {
            sum += (y[i] - (doubled[i] / 2.0)) * (y[i] - (doubled[i] / 2.0));
        }

        return sum;
    }

    /// <summary>The least squared distance from y to D8 + each offset·1 over points whose coordinates are within 1 of y's.</summary>
    private static double BruteForce(double[] y, double[] offsets)
    {
        var best = double.MaxValue;
        foreach (var offset in offsets)
        {
            var low = y.Select(v => (long)Math.Floor(v - offset) - 1).ToArray();
            var z = new long[8];
            for (var code = 0; code < 1 << 16; code++)
            {
                long sum = 0;
                var distance = 0.0;
                for (var i = 0; i < 8; i++)
                {
                    z[i] = low[i] + ((code >> (2 * i)) & 3);
                    sum += z[i];
                    var d = y[i] - (z[i] + offset);
                    distance += d * d;
                }

                if ((sum & 1) == 0)
                {
                    best = Math.Min(best, distance);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// An index always decodes to a point of the same coset of M·Λ, and a point strictly inside the inscribed ball of
    /// M·Λ's Voronoi cell (‖λ‖² &lt; M²/2; both lattices have packing radius 1/√2) to itself, for M = 4, 16, 64. (For
    /// M = 2 that ball holds only 0: the shortest vectors lie on the cell's boundary, where ties may name either of two
    /// points.)
    /// </summary>
    [Theory]
    [InlineData("E8", 2)]
    [InlineData("E8", 4)]
    [InlineData("E8", 6)]
    [InlineData("D8", 2)]
    [InlineData("D8", 4)]
    [InlineData("D8", 6)]
    public void Voronoi_indices_name_their_points(string name, int bits)
    {
        var lattice = Lattice(name);
        var modulus = 1L << bits;
        var random = new Random(bits);
        Span<long> point = stackalloc long[8];
        Span<long> index = stackalloc long[8];
        Span<long> back = stackalloc long[8];
        Span<long> difference = stackalloc long[8];
        Span<double> y = stackalloc double[8];
        var inside = 0;
        for (var trial = 0; trial < 2000; trial++)
        {
            for (var i = 0; i < 8; i++)
            {
                y[i] = (random.NextDouble() - 0.5) * modulus * 0.5;
            }

            lattice.ClosestPoint(y, point);
            lattice.ToIndex(point, bits, index);
            foreach (var k in index)
            {
                Assert.InRange(k, 0, modulus - 1);
            }

            lattice.FromIndex(index, bits, back);
            for (var i = 0; i < 8; i++)
            {
                Assert.Equal(0, (back[i] - point[i]) % modulus);
                difference[i] = (back[i] - point[i]) / modulus;
            }

            Assert.True(IsMember(lattice, difference));
            var norm = 0.0;
            foreach (var d in point)
            {
                norm += d * d / 4.0;
            }

            if (norm < modulus * modulus / 2.0)
            {
                inside++;
                Assert.True(back.SequenceEqual(point));
            }
        }

        Assert.True(inside > 200, $"{inside} points inside");
    }

    /// <summary>
    /// The payload is, chunk by chunk, the chunk's 5-bit gain, then its block j's eight Voronoi indices of b_j bits, MSB
    /// first: read back by hand, they are the indices of the points the reconstruction holds (Θ_c q_c = Δ_j·λ_j), at
    /// rates whose puts hold eight, four and two fields and whose blocks change b inside a group of eight; over two
    /// chunks (the second of 25 blocks, three full groups and one of a single block), each with its share of the
    /// bytes, also below one bit a coordinate, where the blocks past a chunk's share send nothing.
    /// </summary>
    [Theory]
    [InlineData("E8", 2.5, 200)]
    [InlineData("D8", 7.3, 200)]
    [InlineData("E8", 13.4, 200)]
    [InlineData("E8", 2.5, RotatedQuantizer.ChunkLength + 200)]
    [InlineData("D8", 0.6, RotatedQuantizer.ChunkLength + 200)]
    public void The_payload_is_each_chunks_gain_and_its_blocks_indices(string name, double rate, int n)
    {
        const int B = RotatedQuantizer.ChunkLength;
        var lattice = Lattice(name);
        var quantizer = new LatticeQuantizer(lattice, n, rate, 4);
        var u = GaussianSource.Vector(n, 2, GaussianSource.Stream.Target);
        var q = new double[n];
        var writer = new BitWriter();
        var context = new QuantizerContext(u.Max(Math.Abs), 3, quantizer.BudgetBits);
        quantizer.Encode(u, context, writer, q);
        var reader = new BitReader(writer.ToPayload());
        var chunks = (n + B - 1) / B;
        var units = (quantizer.BudgetBits - (RotatedQuantizer.ScaleBits * chunks)) / 8;
        var (blocks, mixed) = ((n + 7) / 8, false);
        Span<long> doubled = stackalloc long[8];
        Span<long> index = stackalloc long[8];
        for (var start = 0; start < n; start += B)
        {
            var length = Math.Min(B, n - start);
            var rotated = new double[length];
            new HadamardRotation(length, 4, start, new AlignedFloats(length), streams: false).Forward(q.AsSpan(start, length), rotated, 3);
            var sigma = RotatedQuantizer.Gain(context.Range, (int)reader.Read(RotatedQuantizer.ScaleBits));
            var (first, count) = (start / 8, (length + 7) / 8);
            var share = (long)Math.Floor((double)units * (first + count) / blocks) - (long)Math.Floor((double)units * first / blocks);
            var (low, high) = ((int)(share / count), (int)(share % count));
            mixed |= high % 8 != 0;
            for (var j = 0; j < count; j++)
            {
                var bits = j < high ? low + 1 : low;
                if (bits == 0)
                {
                    Assert.All(rotated[(8 * j)..Math.Min(length, (8 * j) + 8)], x => Assert.Equal(0, x, 1e-6)); // 0 up to the binary32 rounding of the rotations
                    continue;
                }

                var step = sigma * lattice.Steps[bits - 1];
                for (var i = 0; i < 8; i++)
                {
                    doubled[i] = (8 * j) + i < length ? (long)Math.Round(2 * rotated[(8 * j) + i] / step) : 0;
                }

                lattice.ToIndex(doubled, bits, index);
                for (var i = 0; i < 8; i++)
                {
                    Assert.Equal((ulong)index[i], reader.Read(bits));
                }
            }
        }

        Assert.True(mixed, "a group mixes b and b + 1");
        Assert.Equal(quantizer.BudgetBits - (8 * units), reader.Remaining + (RotatedQuantizer.ScaleBits * chunks)); // only the padding is left
    }

    /// <summary>
    /// The lattice kernels skip the zeroing of their frames, so every lane they read must have been written: a
    /// message whose last group holds fewer than eight blocks codes and decodes the same after the stack was filled
    /// with NaNs as before.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lattices))]
    public void Codes_do_not_depend_on_what_the_stack_held(string name)
    {
        const int N = 100; // 13 blocks: one group of eight and one of five, the last block padded
        var quantizer = new LatticeQuantizer(Lattice(name), N, 2.3, 7);
        var u = GaussianSource.Vector(N, 9, GaussianSource.Stream.Target);
        (byte[] Payload, double[] Encoded, double[] Decoded) Run()
        {
            var writer = new BitWriter();
            var context = new QuantizerContext(u.Max(Math.Abs), 1, quantizer.BudgetBits);
            var (encoded, decoded) = (new double[N], new double[N]);
            quantizer.Encode(u, context, writer, encoded);
            var payload = writer.ToPayload();
            var reader = new BitReader(payload);
            quantizer.Decode(ref reader, context, decoded);
            return (payload.Bytes.ToArray(), encoded, decoded);
        }

        var clean = Run();
        Scribble();
        var after = Run();
        Assert.Equal(clean.Payload, after.Payload);
        Assert.Equal(clean.Encoded, after.Encoded);
        Assert.Equal(clean.Decoded, after.Decoded);
        Assert.Equal(clean.Encoded, clean.Decoded);
    }

    /// <summary>Fills 64 KB of the stack below the caller with NaN bit patterns.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Scribble()
    {
        Span<uint> junk = stackalloc uint[16384];
        junk.Fill(0x7FC0_1234u);
        GC.KeepAlive(junk[^1]);
    }

    /// <summary>
    /// G measured: 1/12 for ℤ, 0.0717 for E8 (Conway and Sloane's 0.071682), 0.0759 for D8 (their formula for D_n,
    /// (n/12 + 1/(2(n+1)))/(n·2^(2/n)) = 0.075914 at n = 8).
    /// </summary>
    [Fact]
    public void Normalized_second_moments_are_the_known_ones()
    {
        Assert.Equal(1 / 12.0, LatticeMoment.NormalizedSecondMoment(IntegerLattice.Instance, 40_000, 1), 0.001);
        Assert.Equal(0.071682, LatticeMoment.NormalizedSecondMoment(E8Lattice.Instance, 40_000, 1), 0.001);
        Assert.Equal(((8 / 12.0) + (1 / 18.0)) / (8 * Math.Pow(2, 0.25)), LatticeMoment.NormalizedSecondMoment(D8Lattice.Instance, 40_000, 1), 0.001);
    }

    /// <summary>The step tables are part of the codes: on a fixed sample of N(0, I₈) blocks, 15% either side of each step is worse.</summary>
    [Theory]
    [MemberData(nameof(Lattices))]
    public void The_steps_minimize_the_clipped_codes_mean_square_error(string name)
    {
        var lattice = Lattice(name);
        var data = GaussianSource.Vector(8 * 2000, 3, GaussianSource.Stream.Target);
        for (var bits = 1; bits <= LatticeQuantizer.MaxBitsPerCoordinate; bits++)
        {
            var step = lattice.Steps[bits - 1];
            var at = MeanSquare(lattice, data, bits, step);
            Assert.True(at < MeanSquare(lattice, data, bits, step * 0.85), $"b = {bits}: a smaller step is better");
            Assert.True(at < MeanSquare(lattice, data, bits, step * 1.15), $"b = {bits}: a larger step is better");
        }
    }

    /// <summary>E(X − Q(X))² per coordinate of the lattice code of b bits at step Δ, clipping as the quantizer does.</summary>
    private static double MeanSquare(BlockLattice lattice, double[] data, int bits, double step)
    {
        Span<double> coded = stackalloc double[8];
        Span<int> fields = stackalloc int[64];
        var sum = 0.0;
        for (var b = 0; b < data.Length / 8; b++)
        {
            var block = data.AsSpan(b * 8, 8);
            block.CopyTo(coded);
            LatticeQuantizer.CodeBlocks(lattice, coded, [bits], step / lattice.Steps[bits - 1], fields);
            for (var i = 0; i < 8; i++)
            {
                var e = block[i] - coded[i];
                sum += e * e;
            }
        }

        return sum / data.Length;
    }

    /// <summary>
    /// At 2 bits a coordinate on n = 1024 (whole blocks) the E8 code's error is below the D8 code's and that below the
    /// fixed-rate scalar code's, in the order of their lattices' second moments; at 1 bit E8 is above the scalar code
    /// (the Voronoi code of 2·E8 has most of its points on the cell's boundary), which is why the scalar codes stay
    /// the default.
    /// </summary>
    [Fact]
    public void E8_beats_d8_beats_the_scalar_code_at_two_bits_and_not_at_one()
    {
        const int N = 1024;
        double Error(IQuantizer quantizer)
        {
            var sum = 0.0;
            for (var t = 0; t < 20; t++)
            {
                var u = GaussianSource.Vector(N, t, GaussianSource.Stream.Target);
                var q = new double[N];
                quantizer.Encode(u, new QuantizerContext(u.Max(Math.Abs), t, quantizer.BudgetBits), new BitWriter(), q);
                sum += TestData.Norm(q.Zip(u, (a, b) => a - b).ToArray()) / TestData.Norm(u);
            }

            return sum / 20;
        }

        double Rate(int bits) => bits + (RotatedQuantizer.ScaleBits / (double)N);
        Assert.True(Error(new LatticeQuantizer(E8Lattice.Instance, N, Rate(2), 1)) < Error(new LatticeQuantizer(D8Lattice.Instance, N, Rate(2), 1)));
        Assert.True(Error(new LatticeQuantizer(D8Lattice.Instance, N, Rate(2), 1)) < Error(new RotatedQuantizer(N, Rate(2), 1)));
        Assert.True(Error(new LatticeQuantizer(E8Lattice.Instance, N, Rate(1), 1)) > Error(new RotatedQuantizer(N, Rate(1), 1)));
    }

    [Fact]
    public void Too_few_bits_too_many_bits_and_non_finite_inputs_are_refused()
    {
        Assert.Contains("needs its 5 bits of gains (5 a chunk of up to 4096 coordinates) and 8 bits for a block", Assert.Throws<DiffQuantException>(() => new LatticeQuantizer(E8Lattice.Instance, 100, 0.1, 1)).Message);
        Assert.Contains("at most 16 bits a coordinate", Assert.Throws<DiffQuantException>(() => new LatticeQuantizer(D8Lattice.Instance, 100, 17, 1)).Message);
        var quantizer = new LatticeQuantizer(E8Lattice.Instance, 8, 4, 1);
        Assert.Contains("NaN or infinite coordinate", Assert.Throws<DiffQuantException>(() => quantizer.Encode([1, double.NaN, 0, 0, 0, 0, 0, 0], new QuantizerContext(1, 0, 32), new BitWriter(), new double[8])).Message);
    }
}
