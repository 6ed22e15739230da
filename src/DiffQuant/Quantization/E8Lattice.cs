namespace DiffQuant.Quantization;

/// <summary>
/// The Gosset lattice E8 = D8 ∪ (D8 + ½·1), D8 the integer vectors with an even sum, and its Voronoi (nested-lattice)
/// codes: the points of E8 in the Voronoi cell of M·E8, M = 2^b, are indexed by 8 numbers in [0, M), so a block
/// of 8 coordinates costs exactly 8b bits. Points are held as doubled coordinates (2λ ∈ ℤ⁸), so every step is exact
/// integer arithmetic. Closest points follow Conway and Sloane (Sphere Packings, Lattices and Groups, ch. 20): round
/// every coordinate, fix the parity of D8 by re-rounding the worst coordinate the other way, and take the nearer
/// of the D8 and the D8 + ½ candidates. E8 has determinant 1, packing radius 1/√2 and normalized second moment
/// 0.0717 (the cube's is 1/12 = 0.0833): 0.65 dB less mean-square error at the same density.
/// </summary>
public sealed class E8Lattice : ILattice
{
    /// <summary>The lattice's dimension.</summary>
    public const int Dimension = 8;

    public static readonly E8Lattice Instance = new();

    private E8Lattice()
    {
    }

    public string Name => "E8";

    int ILattice.Dimension => Dimension;

    /// <summary>The point of E8 nearest y, in its own coordinates.</summary>
    public void Nearest(ReadOnlySpan<double> y, Span<double> point)
    {
        Span<long> doubled = stackalloc long[Dimension];
        ClosestPoint(y, doubled);
        for (var i = 0; i < Dimension; i++)
        {
            point[i] = doubled[i] * 0.5;
        }
    }

    /// <summary>Writes 2λ for λ the point of E8 nearest <paramref name="y"/> (ties broken the same way every time).</summary>
    public static void ClosestPoint(ReadOnlySpan<double> y, Span<long> doubled)
    {
        Span<long> integer = stackalloc long[Dimension];
        Span<long> half = stackalloc long[Dimension];
        var integerDistance = ClosestInD8(y, 0, integer);
        var halfDistance = ClosestInD8(y, 0.5, half);
        var chosen = integerDistance <= halfDistance ? integer : half;
        var offset = integerDistance <= halfDistance ? 0 : 1;
        for (var i = 0; i < Dimension; i++)
        {
            doubled[i] = (2 * chosen[i]) + offset;
        }
    }

    /// <summary>
    /// The Voronoi code's index of the point 2λ: the coordinates k of λ in the generator basis (2·e1; e_i − e_(i−1) for
    /// i = 2…7; ½·1), each reduced mod M into [0, M).
    /// </summary>
    public static void ToIndex(ReadOnlySpan<long> doubled, long modulus, Span<long> index)
    {
        // λ = Σ k_i b_i gives d = 2λ: d8 = k8, d7 = 2k7 + k8, d_c = 2k_c − 2k_(c+1) + k8 (c = 2…6), d1 = 4k1 − 2k2 + k8.
        var k8 = doubled[7];
        var next = (doubled[6] - k8) / 2;
        index[7] = k8;
        index[6] = next;
        for (var c = 5; c >= 1; c--)
        {
            next = (doubled[c] + (2 * next) - k8) / 2;
            index[c] = next;
        }

        index[0] = (doubled[0] + (2 * next) - k8) / 4;
        for (var i = 0; i < Dimension; i++)
        {
            index[i] = ((index[i] % modulus) + modulus) % modulus;
        }
    }

    /// <summary>
    /// The point 2λ of E8 in the Voronoi cell of M·E8 that <paramref name="index"/> names: λ' = Σ k_i b_i, then
    /// λ = λ' − M·Q(λ'/M) with Q the closest point of E8.
    /// </summary>
    public static void FromIndex(ReadOnlySpan<long> index, long modulus, Span<long> doubled)
    {
        var k8 = index[7];
        doubled[0] = (4 * index[0]) - (2 * index[1]) + k8;
        for (var c = 1; c <= 5; c++)
        {
            doubled[c] = (2 * index[c]) - (2 * index[c + 1]) + k8;
        }

        doubled[6] = (2 * index[6]) + k8;
        doubled[7] = k8;
        Span<double> scaled = stackalloc double[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            scaled[i] = doubled[i] / (2.0 * modulus);
        }

        Span<long> coarse = stackalloc long[Dimension];
        ClosestPoint(scaled, coarse);
        for (var i = 0; i < Dimension; i++)
        {
            doubled[i] -= modulus * coarse[i];
        }
    }

    /// <summary>The point of D8 + shift·1 nearest y (as integers z with the point z + shift); returns the squared distance.</summary>
    private static double ClosestInD8(ReadOnlySpan<double> y, double shift, Span<long> z)
    {
        long sum = 0;
        var (worst, worstGap) = (0, -1.0);
        for (var i = 0; i < Dimension; i++)
        {
            var v = y[i] - shift;
            var r = Math.Round(v);
            z[i] = (long)r;
            sum += z[i];
            var gap = Math.Abs(v - r);
            if (gap > worstGap)
            {
                (worst, worstGap) = (i, gap);
            }
        }

        if ((sum & 1) != 0)
        {
            // Re-round the coordinate farthest from its integer the other way: the nearest point with an even sum.
            var v = y[worst] - shift;
            z[worst] += v >= z[worst] ? 1 : -1;
        }

        var distance = 0.0;
        for (var i = 0; i < Dimension; i++)
        {
            var d = y[i] - shift - z[i];
            distance += d * d;
        }

        return distance;
    }
}
