using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>Elias gamma code of v ≥ 1: ⌊log2 v⌋ zeros, then v's ⌊log2 v⌋ + 1 binary digits (2⌊log2 v⌋ + 1 bits).</summary>
public static class EliasGamma
{
    public static int Length(int v) => (2 * (31 - int.LeadingZeroCount(v))) + 1;

    public static void Put(ref FieldPacker packer, BitWriter writer, int v)
    {
        if (v < 1)
        {
            Guard.Throw($"Elias gamma codes v ≥ 1, got {v}.");
        }

        var digits = 32 - int.LeadingZeroCount(v);
        packer.Put(writer, (ulong)v, (2 * digits) - 1);
    }

    public static int Read(ref BitReader reader)
    {
        var zeros = 0;
        while (reader.Read(1) == 0)
        {
            if (++zeros > 31)
            {
                Guard.Throw("an Elias gamma code longer than 63 bits: the message is malformed.");
            }
        }

        return (int)((1UL << zeros) | (zeros == 0 ? 0 : reader.Read(zeros)));
    }
}
