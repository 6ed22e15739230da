using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// Swaps lane l of register k with lane k of register l: block-major registers (register l = block l) become
    /// coordinate-major and back. With AVX, 24 shuffles (unpack, shuffle, permute across halves) instead of 64 lane
    /// moves through memory; <paramref name="scalar"/> forces the lane moves (the reference the tests compare with).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ref BlockLanes lanes, bool scalar = false)
    {
        if (!scalar && Avx.IsSupported)
        {
            var (t0, t1) = (Avx.UnpackLow(lanes[0], lanes[1]), Avx.UnpackHigh(lanes[0], lanes[1]));
            var (t2, t3) = (Avx.UnpackLow(lanes[2], lanes[3]), Avx.UnpackHigh(lanes[2], lanes[3]));
            var (t4, t5) = (Avx.UnpackLow(lanes[4], lanes[5]), Avx.UnpackHigh(lanes[4], lanes[5]));
            var (t6, t7) = (Avx.UnpackLow(lanes[6], lanes[7]), Avx.UnpackHigh(lanes[6], lanes[7]));
            var (s0, s1) = (Avx.Shuffle(t0, t2, 0x44), Avx.Shuffle(t0, t2, 0xEE));
            var (s2, s3) = (Avx.Shuffle(t1, t3, 0x44), Avx.Shuffle(t1, t3, 0xEE));
            var (s4, s5) = (Avx.Shuffle(t4, t6, 0x44), Avx.Shuffle(t4, t6, 0xEE));
            var (s6, s7) = (Avx.Shuffle(t5, t7, 0x44), Avx.Shuffle(t5, t7, 0xEE));
            lanes[0] = Avx.Permute2x128(s0, s4, 0x20);
            lanes[1] = Avx.Permute2x128(s1, s5, 0x20);
            lanes[2] = Avx.Permute2x128(s2, s6, 0x20);
            lanes[3] = Avx.Permute2x128(s3, s7, 0x20);
            lanes[4] = Avx.Permute2x128(s0, s4, 0x31);
            lanes[5] = Avx.Permute2x128(s1, s5, 0x31);
            lanes[6] = Avx.Permute2x128(s2, s6, 0x31);
            lanes[7] = Avx.Permute2x128(s3, s7, 0x31);
            return;
        }

        Span<float> cells = stackalloc float[BlockLattice.Dimension * BlockLattice.Lanes];
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            lanes[k].CopyTo(cells[(k * BlockLattice.Lanes)..]);
        }

        for (var l = 0; l < BlockLattice.Lanes; l++)
        {
            lanes[l] = Vector256.Create(cells[l], cells[l + 8], cells[l + 16], cells[l + 24], cells[l + 32], cells[l + 40], cells[l + 48], cells[l + 56]);
        }
    }
}

/// <summary>Integer fields (Voronoi indices) of eight blocks, coordinate-major as <see cref="BlockLanes"/>.</summary>
[InlineArray(BlockLattice.Dimension)]
internal struct BlockIndexLanes
{
    private Vector256<int> _coordinate;
}
