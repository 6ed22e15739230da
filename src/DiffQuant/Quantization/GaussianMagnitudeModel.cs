namespace DiffQuant.Quantization;

/// <summary>The scalar codebooks an index k names, in units of the step Δ.</summary>
public enum MagnitudeCells
{
    /// <summary>Level k, cells [|k| − ½, |k| + ½] (uniform scalar quantization, k = round(x/Δ)).</summary>
    Uniform,

    /// <summary>Level 2k, cells [2|k| − 1, 2|k| + 1] (the even quantizer of the trellis code).</summary>
    TrellisEven,

    /// <summary>Level 2k − sgn k (0, ±1, ±3, …), cells [2|k| − 2, 2|k|], the first [½, 2] (the odd quantizer of the trellis code).</summary>
    TrellisOdd,
}

/// <summary>
/// The probability model of the entropy-coded rotated codes: a coordinate X ~ N(0, σ²) named by an index k whose
/// magnitude's cell is [b(|k|), b(|k| + 1)]·Δ (<see cref="MagnitudeCells"/>), step ratio t = Δ/σ = 2^(e/16), and k coded
/// as |k|'s high part h = ⌊|k|/2^s⌋ (a symbol with frequencies from the Gaussian: P(h' ≥ h) = 2·Q(b(h·2^s)·t)), then
/// the s low bits of |k| and a sign bit when k ≠ 0, both as equiprobable bits. s is chosen so that the high part's
/// cells are at least 1/8 σ wide, which keeps the alphabet at most 49 symbols at any rate (the low bits of a finely
/// quantized Gaussian are near-uniform). h saturates at <see cref="Levels"/> − 1 (an overload). Built from
/// <see cref="PortableMath"/>, so both ends hold the same table.
/// </summary>
public sealed class GaussianMagnitudeModel
{
    /// <summary>Frequencies are out of 2^15.</summary>
    public const int TotalBits = 15;

    /// <summary>The high part's step 2^s·t is at least 2^−3.</summary>
    private const int FinestHighStepOctaves = 3;

    /// <summary>The alphabet reaches about 6σ.</summary>
    private const double ReachInSigmas = 6;

    /// <summary>Magnitudes below this decode to their cell's centroid; larger ones to |k| itself.</summary>
    private const int CentroidCount = 256;

    private readonly uint[] _cumulative;
    private readonly double[] _centroids;
    private readonly double[] _levelBits;

    /// <param name="stepExponent">e: t = Δ/σ = 2^(e/16).</param>
    /// <param name="cells">The codebook the magnitudes name.</param>
    public GaussianMagnitudeModel(int stepExponent, MagnitudeCells cells = MagnitudeCells.Uniform)
    {
        StepExponent = stepExponent;
        Cells = cells;
        var t = OctaveScale.Scale(1, stepExponent, OctaveScale.MaxStepsPerOctave);
        var width = cells == MagnitudeCells.Uniform ? 0 : 1; // log2 of a cell's width in steps
        LowBits = Math.Max(0, (int)Math.Ceiling(-stepExponent / (double)OctaveScale.MaxStepsPerOctave) - width - FinestHighStepOctaves);
        var highStep = Math.ScaleB(t, LowBits + width);
        Levels = (int)Math.Clamp(Math.Ceiling(ReachInSigmas / highStep), 1, 64) + 1;
        MaxMagnitude = ((long)Levels << LowBits) - 1;

        // P(h ≥ level) for level = 0…Levels (the last is 0: h saturates).
        var atLeast = new double[Levels + 1];
        atLeast[0] = 1;
        for (var level = 1; level < Levels; level++)
        {
            atLeast[level] = 2 * PortableMath.GaussianTail(LowerEdge((long)level << LowBits) * t);
        }

        const uint total = 1u << TotalBits;
        var spread = total - (uint)Levels;
        _cumulative = new uint[Levels + 1];
        var entropy = 0.0;
        for (var level = 0; level < Levels; level++)
        {
            var p = Math.Max(0, atLeast[level] - atLeast[level + 1]);
            _cumulative[level + 1] = _cumulative[level] + 1 + (uint)Math.Floor(p * spread);
        }

        // The counts lost to flooring go to h = 0 (shift every later boundary up), so the total is exactly 2^15.
        var lost = total - _cumulative[Levels];
        for (var level = 1; level <= Levels; level++)
        {
            _cumulative[level] += lost;
        }

        _levelBits = new double[Levels];
        for (var level = 0; level < Levels; level++)
        {
            var q = (double)(_cumulative[level + 1] - _cumulative[level]) / total;
            _levelBits[level] = -PortableMath.Log2(q);
            entropy += q * _levelBits[level];
        }

        NonZero = 2 * PortableMath.GaussianTail(LowerEdge(1) * t);
        _centroids = cells == MagnitudeCells.Uniform ? Centroids(t, (int)Math.Min(CentroidCount, MaxMagnitude + 1)) : [];
        BitsPerCoordinate = entropy + LowBits + NonZero;
    }

    /// <summary>e in t = 2^(e/16).</summary>
    public int StepExponent { get; }

    /// <summary>The codebook the magnitudes name.</summary>
    public MagnitudeCells Cells { get; }

    /// <summary>s, the equiprobable low bits of |k|.</summary>
    public int LowBits { get; }

    /// <summary>The high part's alphabet size (h = 0 … Levels − 1).</summary>
    public int Levels { get; }

    /// <summary>The largest |k| the code carries: Levels·2^s − 1.</summary>
    public long MaxMagnitude { get; }

    /// <summary>P(k ≠ 0) under the model: 2·Q(t/2).</summary>
    public double NonZero { get; }

    /// <summary>Expected bits a Gaussian coordinate costs under this model (the high part's entropy, s, P(k ≠ 0)).</summary>
    public double BitsPerCoordinate { get; }

    /// <summary>
    /// What magnitude |k| decodes to, in units of Δ. Uniform cells: the centroid of [(|k| − ½)·t, (|k| + ½)·t] of
    /// N(0, 1), divided by t (the mean-square-optimal reconstruction; below |k| at low rates, where the density falls
    /// across a cell), for the first 256 magnitudes, |k| beyond them. Trellis cells: the level, 2|k| or 2|k| − 1 (the
    /// trellis search chooses among levels, so a cell's centroid is not what it picked).
    /// </summary>
    public double Reconstruction(long magnitude) => Cells switch
    {
        MagnitudeCells.TrellisEven => 2.0 * magnitude,
        MagnitudeCells.TrellisOdd => magnitude == 0 ? 0 : (2.0 * magnitude) - 1,
        _ => magnitude < _centroids.Length ? _centroids[magnitude] : magnitude,
    };

    /// <summary>b(a), the lower edge of magnitude a's cell in steps (0 for a = 0).</summary>
    private double LowerEdge(long magnitude) => magnitude == 0 ? 0 : Cells switch
    {
        MagnitudeCells.TrellisEven => (2.0 * magnitude) - 1,
        MagnitudeCells.TrellisOdd => magnitude == 1 ? 0.5 : (2.0 * magnitude) - 2,
        _ => magnitude - 0.5,
    };

    /// <summary>Bits index magnitude a costs under the model: −log2(f_h/2^15) + s + [a ≠ 0].</summary>
    public double CostBits(long magnitude) => _levelBits[(int)Math.Min(magnitude >> LowBits, Levels - 1)] + LowBits + (magnitude != 0 ? 1 : 0);

    /// <summary>The start of h's interval out of 2^15.</summary>
    public uint Cumulative(int level) => _cumulative[level];

    /// <summary>h's frequency out of 2^15.</summary>
    public uint Frequency(int level) => _cumulative[level + 1] - _cumulative[level];

    /// <summary>The h whose interval holds <paramref name="target"/>.</summary>
    public int Find(uint target)
    {
        var level = 0;
        while (level < Levels - 1 && _cumulative[level + 1] <= target)
        {
            level++;
        }

        return level;
    }

    /// <summary>
    /// E(X | X in the cell)/t = (φ(lo) − φ(hi)) / ((Q(lo) − Q(hi))·t) for the cells of |k| = 1…count − 1, kept inside
    /// its cell; the midpoint where the cell's probability is too small for the difference of tails to be accurate.
    /// </summary>
    private static double[] Centroids(double t, int count)
    {
        var centroids = new double[count];
        for (var magnitude = 1; magnitude < count; magnitude++)
        {
            var (low, high) = ((magnitude - 0.5) * t, (magnitude + 0.5) * t);
            var mass = PortableMath.GaussianTail(low) - PortableMath.GaussianTail(high);
            var density = PortableMath.GaussianDensity(low) - PortableMath.GaussianDensity(high);
            centroids[magnitude] = mass > 1e-5 * PortableMath.GaussianTail(low) && mass > 1e-12
                ? Math.Clamp(density / (mass * t), magnitude - 0.5, magnitude + 0.5)
                : magnitude;
        }

        return centroids;
    }

    /// <summary>
    /// The finest models (smallest e in −272…48, i.e. t from 2^−17 to 8) whose expected cost — averaged over the
    /// codebooks <paramref name="cells"/> — is at most <paramref name="bitsPerCoordinate"/>; the coarsest when none is.
    /// The cost falls as e grows, so a bisection.
    /// </summary>
    public static GaussianMagnitudeModel[] ForRate(double bitsPerCoordinate, params MagnitudeCells[] cells)
    {
        if (cells.Length == 0)
        {
            cells = [MagnitudeCells.Uniform];
        }

        GaussianMagnitudeModel[] At(int e) => [.. cells.Select(c => new GaussianMagnitudeModel(e, c))];
        static double Cost(GaussianMagnitudeModel[] models) => models.Average(m => m.BitsPerCoordinate);
        var (fine, coarse) = (-17 * OctaveScale.MaxStepsPerOctave, 3 * OctaveScale.MaxStepsPerOctave);
        var best = At(coarse);
        if (Cost(best) > bitsPerCoordinate)
        {
            return best;
        }

        while (coarse - fine > 1)
        {
            var middle = (fine + coarse) / 2;
            var models = At(middle);
            if (Cost(models) <= bitsPerCoordinate)
            {
                (coarse, best) = (middle, models);
            }
            else
            {
                fine = middle;
            }
        }

        var finest = At(fine);
        return Cost(finest) <= bitsPerCoordinate ? finest : best;
    }
}
