using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// Eight blocks of 8 coordinates held coordinate-major in binary32: element k is a register whose lane l is coordinate
/// k of block l. Laid out this way, every step of a <see cref="BlockLattice"/>'s algorithms is lane-wise, so eight
/// blocks cost about what one did, with no horizontal operation.
/// </summary>
[InlineArray(BlockLattice.Dimension)]
internal struct BlockLanes
{
    private Vector256<float> _coordinate;
}

/// <summary>Integer fields (Voronoi indices) of eight blocks, coordinate-major as <see cref="BlockLanes"/>.</summary>
[InlineArray(BlockLattice.Dimension)]
internal struct BlockIndexLanes
{
    private Vector256<int> _coordinate;
}
