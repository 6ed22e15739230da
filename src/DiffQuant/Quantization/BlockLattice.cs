using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// An 8-dimensional lattice Λ ⊂ ½ℤ⁸ and its Voronoi (nested-lattice) codes: the points of Λ in the Voronoi cell of
/// M·Λ, M = 2^b, are indexed by 8 numbers in [0, M) (a point's coordinates in a generator basis, mod M), so a block of
/// 8 coordinates costs exactly 8b bits; decoding subtracts M·Q(λ'/M), Q the closest point of Λ. Points are held as
/// doubled coordinates (2λ ∈ ℤ⁸) in binary32, exact integers below 2^24 (the codes' points stay below 2^19), so every
/// step on them is exact integer arithmetic; an input is rounded to binary32 first. The algorithms run lane-wise on
/// eight blocks at once (<see cref="BlockLanes"/>); the span methods run them on one block.
/// </summary>
[SkipLocalsInit] // every lane register is written before it is read; see DiffQuant.csproj
public abstract class BlockLattice : ILattice
{
    /// <summary>The lattices' dimension.</summary>
    public const int Dimension = 8;

    /// <summary>Blocks a call of the lane-wise algorithms handles at once.</summary>
    internal const int Lanes = 8;

    public abstract string Name { get; }

    int ILattice.Dimension => Dimension;

    public abstract double Volume { get; }

    /// <summary>
    /// Δ_b/σ for b = 1…16 of the quantizer's code of b bits a coordinate (<see cref="LatticeQuantizer"/>). Part of the
    /// code: both ends must use these values.
    /// </summary>
    public abstract ReadOnlySpan<double> Steps { get; }

    /// <summary>The point of Λ nearest y (rounded to binary32), in its own coordinates.</summary>
    public void Nearest(ReadOnlySpan<double> y, Span<double> point)
    {
        Span<long> doubled = stackalloc long[Dimension];
        ClosestPoint(y, doubled);
        for (var i = 0; i < Dimension; i++)
        {
            point[i] = doubled[i] * 0.5;
        }
    }

    /// <summary>Writes 2λ for λ the point of Λ nearest <paramref name="y"/> (rounded to binary32; ties broken the same way every time).</summary>
    public void ClosestPoint(ReadOnlySpan<double> y, Span<long> doubled)
    {
        Guard.SameLength(y.Length, Dimension, $"the {Name} block");
        var lanes = default(BlockLanes);
        for (var k = 0; k < Dimension; k++)
        {
            lanes[k] = Vector256.CreateScalar((float)y[k]);
        }

        ClosestDoubled(lanes, out var point);
        for (var k = 0; k < Dimension; k++)
        {
            doubled[k] = (long)point[k][0];
        }
    }

    /// <summary>The Voronoi code's index of the point 2λ: λ's coordinates in the generator basis, each mod M = 2^<paramref name="bits"/>.</summary>
    public void ToIndex(ReadOnlySpan<long> doubled, int bits, Span<long> index)
    {
        var lanes = default(BlockLanes);
        for (var k = 0; k < Dimension; k++)
        {
            lanes[k] = Vector256.CreateScalar((float)doubled[k]);
        }

        ToIndex(lanes, Vector256.Create((1 << bits) - 1), out var fields);
        for (var k = 0; k < Dimension; k++)
        {
            index[k] = fields[k][0];
        }
    }

    /// <summary>
    /// The point 2λ of Λ in the Voronoi cell of M·Λ, M = 2^<paramref name="bits"/>, that <paramref name="index"/>
    /// names: λ' = Σ k_i b_i, then λ = λ' − M·Q(λ'/M).
    /// </summary>
    public void FromIndex(ReadOnlySpan<long> index, int bits, Span<long> doubled)
    {
        var fields = default(BlockIndexLanes);
        for (var k = 0; k < Dimension; k++)
        {
            fields[k] = Vector256.CreateScalar((int)index[k]);
        }

        FromIndex(fields, Vector256.Create((float)(1 << bits)), out var point);
        for (var k = 0; k < Dimension; k++)
        {
            doubled[k] = (long)point[k][0];
        }
    }

    /// <summary>2λ for λ the point of Λ nearest y, in each lane, as exact integers held in binary32 (never −0).</summary>
    internal abstract void ClosestDoubled(in BlockLanes y, out BlockLanes doubled);

    /// <summary>
    /// The Voronoi indices of the points 2λ in each lane, reduced with <paramref name="mask"/> = M − 1 (M a power of two;
    /// two's complement makes a negative coordinate's residue right too).
    /// </summary>
    internal abstract void ToIndex(in BlockLanes doubled, Vector256<int> mask, out BlockIndexLanes index);

    /// <summary>2λ' for λ' = Σ k_i b_i, the generator basis combined with the indices k in each lane.</summary>
    internal abstract void Generate(in BlockIndexLanes index, out BlockLanes doubled);

    /// <summary>The points 2λ the indices name in each lane, M = <paramref name="modulus"/> lane by lane.</summary>
    internal void FromIndex(in BlockIndexLanes index, Vector256<float> modulus, out BlockLanes doubled)
    {
        Generate(index, out doubled);
        var inverse = Vector256<float>.One / (modulus + modulus); // 1/(2M): a power of two, so the products are exact
        Unsafe.SkipInit(out BlockLanes scaled);
        for (var k = 0; k < Dimension; k++)
        {
            scaled[k] = doubled[k] * inverse;
        }

        ClosestDoubled(scaled, out var coarse);
        for (var k = 0; k < Dimension; k++)
        {
            doubled[k] -= modulus * coarse[k];
        }
    }

    /// <summary>
    /// max ⟨2λ, r⟩ over the Voronoi-relevant vectors r of Λ, lane by lane; λ lies in the Voronoi cell of M·Λ iff it is
    /// at most 2M (every relevant vector has ‖r‖² = 2). Here D8's, whose relevant vectors are its 112 roots ±e_i ± e_j:
    /// the two largest |2λ_i| summed. Exact: integers below 2^24.
    /// </summary>
    internal virtual Vector256<float> Reach(in BlockLanes doubled)
    {
        var (first, second) = (Vector256<float>.Zero, Vector256<float>.Zero);
        for (var k = 0; k < Dimension; k++)
        {
            var a = Vector256.Abs(doubled[k]);
            // Native min and max (one instruction each, not .NET's IEEE sequence): the values are finite and non-negative, no −0.
            second = Vector256.MaxNative(second, Vector256.MinNative(first, a));
            first = Vector256.MaxNative(first, a);
        }

        return first + second;
    }

    /// <summary>
    /// The point z of D8 + shift·1 nearest y in each lane (as z − shift, integers) and the squared distance (Conway and
    /// Sloane, Sphere Packings, Lattices and Groups, ch. 20): round every coordinate; if the sum is odd, re-round the
    /// coordinate farthest from its integer (the first, on ties) the other way — the nearest point with an even sum.
    /// Lane-wise selects, no branches: the parity is a coin flip a branch predictor cannot learn.
    /// </summary>
    private protected static Vector256<float> ClosestInD8(in BlockLanes y, Vector256<float> shift, out BlockLanes z)
    {
        Unsafe.SkipInit(out z);
        var sum = Vector256<float>.Zero;
        var worstGap = Vector256.Create(-1f);
        var (worst, position) = (Vector256<float>.Zero, Vector256<float>.Zero);
        for (var k = 0; k < Dimension; k++, position += Vector256<float>.One)
        {
            var v = y[k] - shift;
            var rounded = Vector256.Round(v); // to nearest, ties to even, as Math.Round
            z[k] = rounded;
            sum += rounded; // exact: integers far below 2^24
            var gap = Vector256.Abs(v - rounded);
            var wider = Vector256.GreaterThan(gap, worstGap);
            worstGap = Vector256.ConditionalSelect(wider, gap, worstGap);
            worst = Vector256.ConditionalSelect(wider, position, worst);
        }

        var odd = Vector256.Equals(Vector256.ConvertToInt32Native(sum) & Vector256<int>.One, Vector256<int>.One).AsSingle();
        var distance = Vector256<float>.Zero;
        position = Vector256<float>.Zero;
        for (var k = 0; k < Dimension; k++, position += Vector256<float>.One)
        {
            var v = y[k] - shift;
            var move = odd & Vector256.Equals(worst, position);
            var away = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v, z[k]), Vector256<float>.One, Vector256.Create(-1f));
            var point = z[k] + (away & move);
            z[k] = point;
            var d = v - point;
            distance += d * d;
        }

        return distance;
    }
}
