using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Quantization;

namespace DiffQuant.Tests;

public class CompressorTests
{
    public static TheoryData<string> Names => ["float32", "qsgd", "qsgd-elias", "qsgd-bucket", "terngrad", "sign", "topk", "topk-sign", "randk", "fixed", "fixed-block", "sparsified", "rotated", "rotated-ec", "e8", "d8"];

    private static ICompressor Create(string name, int d) => name switch
    {
        "float32" => new Float32Compressor(d),
        "qsgd" => new QsgdCompressor(d, 7),
        "qsgd-elias" => new QsgdCompressor(d, 3, LevelCoding.Elias),
        "qsgd-bucket" => new QsgdCompressor(d, 15, LevelCoding.Fixed, bucketSize: 16),
        "terngrad" => new TernGradCompressor(d),
        "sign" => new SignCompressor(d),
        "topk" => new TopKCompressor(d, 0.1),
        "topk-sign" => new TopKCompressor(d, 0.1, signs: true),
        "randk" => new RandomKCompressor(d, 0.1),
        "fixed" => new FixedPointCompressor(d, 4),
        "fixed-block" => new FixedPointCompressor(d, 3, blockSize: 7),
        "rotated" => new RotatedCompressor(d, 2),
        "rotated-ec" => new RotatedCompressor(d, 2, "rotated-ec"),
        "e8" => new RotatedCompressor(d, 2, "e8"),
        "d8" => new RotatedCompressor(d, 2, "d8"),
        _ => new SparsifiedCompressor(d, 0.3, 4),
    };

    private static float[] Gradient(int d, long seed) =>
        [.. DiffQuant.Problems.GaussianSource.Vector(d, seed, DiffQuant.Problems.GaussianSource.Stream.Matrix).Select(v => (float)v)];

    /// <summary>The receiver decodes exactly what the sender says it sent, from a payload no longer than MaxBits.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Decoding_gives_what_the_sender_recorded(string name)
    {
        foreach (var d in new[] { 1, 2, 5, 31, 100, 257, RotatedQuantizer.ChunkLength + 200 })
        {
            var compressor = Create(name, d);
            var g = Gradient(d, d);
            var writer = new BitWriter();
            var sent = new float[d];
            var context = new CompressionContext(3, SharedUniform.LinkSeed(9, 2));
            compressor.Encode(g, context, writer, sent);
            var payload = writer.ToPayload();
            Assert.True(payload.BitLength <= compressor.MaxBits, $"{name}, d = {d}: {payload.BitLength} bits > {compressor.MaxBits}");
            var reader = new BitReader(payload);
            var received = new float[d];
            compressor.Decode(ref reader, context, received);
            Assert.Equal(0, reader.Remaining);
            Assert.Equal(sent, received);
        }
    }

    [Theory]
    [InlineData("qsgd")]
    [InlineData("qsgd-elias")]
    [InlineData("terngrad")]
    [InlineData("randk")]
    [InlineData("fixed")]
    [InlineData("fixed-block")]
    [InlineData("sparsified")]
    public void Stochastic_compressors_are_unbiased(string name)
    {
        const int d = 40;
        const int draws = 4000;
        var compressor = Create(name, d);
        var g = Gradient(d, 17);
        var sum = new double[d];
        var sumSquares = new double[d];
        var decoded = new float[d];
        for (var t = 0; t < draws; t++)
        {
            compressor.Encode(g, new CompressionContext(t, 5), new BitWriter(), decoded);
            for (var i = 0; i < d; i++)
            {
                sum[i] += decoded[i];
                sumSquares[i] += decoded[i] * (double)decoded[i];
            }
        }

        for (var i = 0; i < d; i++)
        {
            var mean = sum[i] / draws;
            var standardError = Math.Sqrt(Math.Max(0, (sumSquares[i] / draws) - (mean * mean)) / draws);
            Assert.True(Math.Abs(mean - g[i]) <= (5 * standardError) + 1e-6, $"{name} [{i}]: mean {mean} vs {g[i]} (se {standardError})");
        }
    }

    [Fact]
    public void Bit_counts_follow_the_codes()
    {
        const int d = 1000;
        var g = Gradient(d, 3);
        long Bits(ICompressor c)
        {
            var writer = new BitWriter();
            c.Encode(g, new CompressionContext(0, 1), writer, new float[d]);
            return writer.BitLength;
        }

        Assert.Equal(32L * d, Bits(new Float32Compressor(d)));
        Assert.Equal(32 + (4L * d), Bits(new QsgdCompressor(d, 7)));  // 3 level bits + a sign
        Assert.Equal(32 + d, Bits(new SignCompressor(d)));
        Assert.Equal(32 + (8L * 200), Bits(new TernGradCompressor(d)));
        Assert.Equal(32L * 100, Bits(new RandomKCompressor(d, 0.1)));
        Assert.Equal(32 + (4L * d), Bits(new FixedPointCompressor(d, 4))); // one δ, b bits a coordinate
        Assert.Equal((32 * 10) + (3L * d), Bits(new FixedPointCompressor(d, 3, blockSize: 100)));
        const int chunked = RotatedQuantizer.ChunkLength + 200; // two chunks: two gains, and every coordinate (or block) its B bits
        long ChunkedBits(string code)
        {
            var writer = new BitWriter();
            new RotatedCompressor(chunked, 2, code).Encode(Gradient(chunked, 5), new CompressionContext(0, 1), writer, new float[chunked]);
            return writer.BitLength;
        }

        Assert.Equal(32 + 10 + (2L * chunked), ChunkedBits("rotated"));
        Assert.Equal(32 + 10 + (2L * 8 * 537), ChunkedBits("e8"));
        var topk = Bits(new TopKCompressor(d, 0.1));
        Assert.InRange(topk, 100 * (32 + 4), 100 * (32 + 8)); // b = 3 remainder bits, a stop bit and a few quotient bits a gap
    }

    [Fact]
    public void Top_k_keeps_the_largest_magnitudes()
    {
        float[] g = [0.1f, -5, 0.2f, 3, -0.3f, 4, 0, 1];
        var compressor = new TopKCompressor(g.Length, 3.0 / 8);
        var decoded = new float[g.Length];
        compressor.Encode(g, default, new BitWriter(), decoded);
        Assert.Equal([0, -5, 0, 3, 0, 4, 0, 0], decoded);
    }

    [Fact]
    public void Elias_gamma_round_trips()
    {
        var writer = new BitWriter();
        var packer = default(FieldPacker);
        int[] values = [1, 2, 3, 4, 7, 8, 1000, 1 << 20];
        foreach (var v in values)
        {
            EliasGamma.Put(ref packer, writer, v);
        }

        packer.Flush(writer);
        Assert.Equal(values.Sum(EliasGamma.Length), writer.BitLength);
        var reader = new BitReader(writer.ToPayload());
        foreach (var v in values)
        {
            Assert.Equal(v, EliasGamma.Read(ref reader));
        }
    }
}
