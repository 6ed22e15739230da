namespace DiffQuant.Quantization;

/// <summary>
/// The scalar grid of one coordinate class of a cube quantizer at a given range and bit count. Grids are
/// structs so that the quantizer loop, generic over them, is specialized and inlined by the JIT.
/// </summary>
public interface ICubeGrid
{
    /// <summary>The saturated cell index in [0, 2^b) of <paramref name="value"/> at coordinate <paramref name="index"/>.</summary>
    ulong Cell(double value, int index);

    /// <summary>The reconstruction of cell <paramref name="cell"/> at coordinate <paramref name="index"/>.</summary>
    double Value(ulong cell, int index);
}
