using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Quantization;

namespace DiffQuant.Tests;

/// <summary>The contract every registered quantizer keeps with its decoder, checked on each by name.</summary>
public class QuantizerRoundTripTests
{
    public static TheoryData<string> Kinds => [.. QuantizerRegistry.Names];

    private static readonly Gen<(double[] Unit, double Rate, double Range, long Step)> Inputs =
        Gen.Select(Gen.Double[-1, 1].Array[0, 200], Gen.OneOf(Gen.Int[1, 16].Select(r => (double)r), Gen.Double[0.1, 16]), Gen.Double[1e-3, 1e3], Gen.Long[0, 1000]);

    /// <summary>
    /// At any size, rate, range, step and scale (the range's own, 10^−4 of it and 100 times it) the payload is exactly
    /// the budget floor(n·R) bits, and a second instance built from the same spec decodes the encoder's q bit for bit,
    /// reading every bit. Sizes and rates a code refuses (too few bits for its header, too many a coordinate) are
    /// skipped; most are not.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Decoding_reproduces_the_encoder_output_bit_exactly(string kind)
    {
        var (cases, accepted) = (0, 0);
        TestData.ForEachCase(Inputs, 200, (unit, rate, range, step) =>
        {
            cases++;
            var spec = QuantizerSpec.Parse(kind, rate, seed: 5);
            IQuantizer encoder;
            try
            {
                encoder = spec.Create(unit.Length);
            }
            catch (DiffQuantException)
            {
                return;
            }

            accepted++;
            var context = new QuantizerContext(range, step, encoder.BudgetBits);
            var decoder = spec.Create(unit.Length);
            foreach (var scale in new[] { range, range * 1e-4, range * 100 })
            {
                var u = unit.Select(x => x * scale).ToArray();
                var q = new double[u.Length];
                var writer = new BitWriter();
                encoder.Encode(u, context, writer, q);
                var payload = writer.ToPayload();
                Assert.Equal(BitAllocation.Budget(u.Length, spec.Rate), payload.BitLength);
                var decoded = new double[u.Length];
                var reader = new BitReader(payload);
                decoder.Decode(ref reader, context, decoded);
                Assert.Equal(0, reader.Remaining);
                Assert.Equal(q.Select(BitConverter.DoubleToInt64Bits), decoded.Select(BitConverter.DoubleToInt64Bits));
            }
        });
        Assert.True(accepted > cases / 2, $"{kind} accepted only {accepted} of {cases} cases");
    }

    /// <summary>
    /// Once built (and once run, which sizes the writer and runs the static constructors), an encode and a decode
    /// allocate nothing, on a vector of several of the chunked codes' 4096-coordinate chunks: a message's work happens
    /// in buffers the quantizer holds. A property of the optimized build (<see cref="OptimizedTheoryAttribute"/>).
    /// </summary>
    [OptimizedTheory]
    [MemberData(nameof(Kinds))]
    public void Encoding_and_decoding_allocate_nothing_once_built(string kind)
    {
        const int n = (2 * RotatedQuantizer.ChunkLength) + 100;
        var quantizer = QuantizerSpec.Parse(kind, 2, seed: 5).Create(n);
        var u = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        var (q, decoded, writer) = (new double[n], new double[n], new BitWriter());
        var context = new QuantizerContext(1, 3, quantizer.BudgetBits);
        long Allocated()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            writer.Reset();
            quantizer.Encode(u, context, writer, q);
            var reader = new BitReader(writer.ToPayload());
            quantizer.Decode(ref reader, context, decoded);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated();
        Assert.Equal(0, Allocated());
        Assert.Equal(q, decoded);
    }
}
