using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// Golomb–Rice codes of the gaps between ascending indices: gap ≥ 1 as (gap − 1) &gt;&gt; b ones, a zero, and the b low
/// bits of gap − 1. With b = ⌊log2(d/k)⌋ for k of d positions, about log2(d/k) + 1.5 bits a gap, near the entropy of
/// k uniform positions.
/// </summary>
public static class RiceGaps
{
    /// <summary>b = ⌊log2(d/k)⌋ for about <paramref name="kept"/> of <paramref name="dimension"/> positions.</summary>
    public static int ParameterFor(int dimension, int kept) => Math.Max(0, 31 - int.LeadingZeroCount(Math.Max(1, dimension / Math.Max(1, kept))));

    /// <summary>The most bits k gaps within d positions take: k stop bits and remainders, and quotients summing to at most d &gt;&gt; b.</summary>
    public static long MaxBits(int dimension, int kept, int parameter) => ((long)kept * (parameter + 1)) + (dimension >> parameter);

    public static void Put(ref FieldPacker packer, BitWriter writer, int gap, int parameter)
    {
        var value = gap - 1;
        for (var q = value >> parameter; q > 0; q--)
        {
            packer.Put(writer, 1, 1);
        }

        packer.Put(writer, 0, 1);
        packer.Put(writer, (ulong)(value & ((1 << parameter) - 1)), parameter);
    }

    /// <summary>The next index after <paramref name="previous"/>, refusing one at or beyond <paramref name="dimension"/>.</summary>
    public static int ReadNext(ref BitReader reader, int previous, int parameter, int dimension, string what)
    {
        var quotient = 0;
        while (reader.Read(1) == 1)
        {
            if (++quotient > dimension)
            {
                Guard.Throw($"{what} message: an index gap runs past the {dimension} coordinates.");
            }
        }

        var index = previous + (quotient << parameter) + (int)reader.Read(parameter) + 1;
        if (index >= dimension)
        {
            Guard.Throw($"{what} message: index {index} beyond the {dimension} coordinates.");
        }

        return index;
    }
}
