using CsCheck;
using DiffQuant.Bits;

namespace DiffQuant.Tests;

public class BitIoTests
{
    [Fact]
    public void Fields_of_any_width_round_trip()
    {
        var field = Gen.Int[0, 64].SelectMany(width => Gen.ULong.Select(v => (Width: width, Value: width == 64 ? v : v & ((1UL << width) - 1))));
        TestData.ForEachCase(field.Array[0, 300], 300, fields =>
        {
            var writer = new BitWriter(1);
            foreach (var (width, value) in fields)
            {
                writer.Write(value, width);
            }

            var payload = writer.ToPayload();
            Assert.Equal(fields.Sum(f => (long)f.Width), payload.BitLength);
            Assert.Equal(Payload.ByteCount(payload.BitLength), payload.Bytes.Length);
            var reader = new BitReader(payload);
            foreach (var (width, value) in fields)
            {
                Assert.Equal(value, reader.Read(width));
            }

            Assert.Equal(0, reader.Remaining);
        });
    }

    /// <summary>Packed fields (written a whole word at a time, <see cref="BitWriter.WriteWord"/>) give the same bytes as one Write per field, after any prefix, and unpack back.</summary>
    [Fact]
    public void Packed_fields_match_field_by_field_writes()
    {
        var field = Gen.Int[1, 52].SelectMany(width => Gen.ULong.Select(v => (Width: width, Value: v & ((1UL << width) - 1))));
        TestData.ForEachCase(Gen.Select(Gen.Int[0, 13], field.Array[0, 200]), 300, (prefix, fields) =>
        {
            var plain = new BitWriter(1);
            var packed = new BitWriter(1);
            plain.Write(5, prefix);
            packed.Write(5, prefix);
            var packer = default(FieldPacker);
            foreach (var (width, value) in fields)
            {
                plain.Write(value, width);
                packer.Put(packed, value, width);
            }

            packer.Flush(packed);
            Assert.Equal(plain.BitLength, packed.BitLength);
            Assert.Equal(plain.ToPayload().Bytes.ToArray(), packed.ToPayload().Bytes.ToArray());
            var reader = new BitReader(packed.ToPayload());
            reader.Read(prefix);
            var unpacker = new FieldUnpacker(fields.Sum(f => (long)f.Width));
            foreach (var (width, value) in fields)
            {
                Assert.Equal(value, unpacker.Take(ref reader, width));
            }

            Assert.Equal(0, reader.Remaining);
        });
    }

    /// <summary>
    /// Cells put and taken a run at a time (chunks of four cells a register) give the same bytes as one Write per cell,
    /// after any prefix, for every width 1…16 and run lengths around the chunk sizes, and read back exactly — on the AVX2
    /// path (integer shifts) and on the portable one (exact double products).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cells_put_and_taken_in_runs_match_field_by_field(bool portable)
    {
        var runs = Gen.Int[1, 16].SelectMany(bits => Gen.Select(Gen.Int[0, 13], Gen.Int[0, (1 << bits) - 1].Array[0, 130], (prefix, cells) => (bits, prefix, cells)));
        TestData.ForEachCase(runs, 300, run =>
        {
            var (bits, prefix, cells) = run;
            var plain = new BitWriter(1);
            var packed = new BitWriter(1);
            plain.Write(5, prefix);
            packed.Write(5, prefix);
            foreach (var cell in cells)
            {
                plain.Write((ulong)cell, bits);
            }

            var packer = default(FieldPacker);
            packer.PutCells(packed, [.. cells.Select(c => (double)c)], bits, portable);
            packer.Flush(packed);
            Assert.Equal(plain.ToPayload().Bytes.ToArray(), packed.ToPayload().Bytes.ToArray());
            var reader = new BitReader(packed.ToPayload());
            reader.Read(prefix);
            var unpacker = new FieldUnpacker((long)bits * cells.Length);
            var taken = new double[cells.Length];
            unpacker.TakeCells(ref reader, taken, bits, portable);
            Assert.Equal(cells.Select(c => (double)c), taken);
            Assert.Equal(0, reader.Remaining);
        });
    }

    [Fact]
    public void Writer_reset_clears_the_previous_message()
    {
        var writer = new BitWriter();
        writer.Write(ulong.MaxValue, 64);
        writer.Reset();
        writer.Write(0, 3);
        var payload = writer.ToPayload();
        Assert.Equal(3, payload.BitLength);
        Assert.Equal(0, payload.Bytes.Span[0]);
    }

    [Fact]
    public void Doubles_round_trip_bit_exactly()
    {
        double[] values = [0.0, -0.0, 1.5, double.Epsilon, double.MaxValue, -Math.PI, double.NaN];
        var writer = new BitWriter();
        foreach (var v in values)
        {
            writer.WriteDouble(v);
        }

        var reader = new BitReader(writer.ToPayload());
        foreach (var v in values)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(reader.ReadDouble()));
        }
    }

    [Fact]
    public void Reading_past_the_message_is_refused()
    {
        var writer = new BitWriter();
        writer.Write(5, 3);
        var payload = writer.ToPayload();
        var error = Assert.Throws<DiffQuantException>(() =>
        {
            var reader = new BitReader(payload);
            reader.Read(4);
        });
        Assert.Contains("message too short", error.Message);

        // An unpacker told of more bits than the message holds is refused at its refill (the inlined read), not past the bytes.
        var unpacked = Assert.Throws<DiffQuantException>(() =>
        {
            var reader = new BitReader(payload);
            new FieldUnpacker(40).Take(ref reader, 8);
        });
        Assert.Contains("message too short: wanted 40 bits at bit 0, only 3 left", unpacked.Message);
    }

    [Fact]
    public void Field_wider_than_64_bits_is_refused()
    {
        var writer = new BitWriter();
        Assert.Throws<DiffQuantException>(() => writer.Write(1, 65));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(8)]
    public void Double_spans_round_trip_at_any_bit_offset(int offset)
    {
        for (var length = 0; length <= 40; length++)
        {
            var values = Enumerable.Range(0, length).Select(i => Math.Sin(i) * Math.Pow(10, i % 7)).ToArray();
            var writer = new BitWriter(1);
            writer.Write(5, offset);
            writer.WriteDoubles(values);
            writer.Write(1, 1);
            var reader = new BitReader(writer.ToPayload());
            Assert.Equal(5UL & ((1UL << offset) - 1), reader.Read(offset));
            var decoded = new double[length];
            reader.ReadDoubles(decoded);
            Assert.Equal(values, decoded);
            Assert.Equal(1UL, reader.Read(1));

            // The bulk path writes the same bits as one double at a time.
            var single = new BitWriter(1);
            single.Write(5, offset);
            foreach (var v in values)
            {
                single.WriteDouble(v);
            }

            single.Write(1, 1);
            Assert.Equal(single.ToPayload().Bytes.ToArray(), writer.ToPayload().Bytes.ToArray());
        }
    }
}
