using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffQuant.Bits;

/// <summary>
/// Four cells (exact integers 0 ≤ c &lt; 2^52 held in doubles) to and from their bits in a field, lane by lane, by AVX2
/// shifts (callers check <see cref="Avx2.IsSupported"/>): the double 2^52 + c holds c in its low 52 bits, so adding
/// 2^52 turns a cell into its integer and OR-ing 2^52's bits back and subtracting 2^52 turns an integer into its cell.
/// </summary>
internal static class CellLanes
{
    /// <summary>2^52.</summary>
    private const double Bias = 4503599627370496.0;

    /// <summary>
    /// c_k·2^(shift_k) in lane k: the cells' bits where a field holds them. The exponent's bits of 2^52 + c land at
    /// bit 52 + shift_k and above; a field of at most 52 bits is clear of them once masked (<see cref="Fold"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Place(Vector256<double> cells, Vector256<ulong> shifts) =>
        Avx2.ShiftLeftLogicalVariable((cells + Vector256.Create(Bias)).AsUInt64(), shifts);

    /// <summary>The OR of the four lanes' placed bits, masked to the field's low <paramref name="mask"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fold(Vector256<ulong> placed, ulong mask)
    {
        var half = placed.GetLower() | placed.GetUpper();
        return (half.ToScalar() | half.GetElement(1)) & mask;
    }

    /// <summary>The cells ⌊field/2^(shift_k)⌋ mod 2^b of a field broadcast to every lane, <paramref name="cell"/> = 2^b − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Take(Vector256<ulong> field, Vector256<ulong> shifts, Vector256<ulong> cell) =>
        ((Avx2.ShiftRightLogicalVariable(field, shifts) & cell) | Vector256.Create(Bias).AsUInt64()).AsDouble() - Vector256.Create(Bias);
}
