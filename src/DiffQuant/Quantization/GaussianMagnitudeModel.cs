namespace DiffQuant.Quantization;

/// <summary>
/// The probability model of the entropy-coded rotated code: a coordinate X ~ N(0, σ²) quantized to k = round(X/Δ)
/// with step ratio t = Δ/σ = 2^(e/16), and k coded as |k|'s high part h = ⌊|k|/2^s⌋ (a symbol with frequencies
/// from the Gaussian: P(h' ≥ h) = 2·Q((h·2^s − ½)·t)), then the s low bits of |k| and a sign bit when k ≠ 0, both as
/// equiprobable bits. s is chosen so that the high part's step 2^s·t is at least 1/8, which keeps the alphabet at
/// most 49 symbols at any rate (the low bits of a finely quantized Gaussian are near-uniform). h saturates at
/// <see cref="Levels"/> − 1 (an overload). Built from <see cref="PortableMath"/>, so both ends hold the same table.
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

    /// <param name="stepExponent">e: t = Δ/σ = 2^(e/16).</param>
    public GaussianMagnitudeModel(int stepExponent)
    {
        StepExponent = stepExponent;
        var t = OctaveScale.Scale(1, stepExponent, OctaveScale.MaxStepsPerOctave);
        LowBits = Math.Max(0, (int)Math.Ceiling(-stepExponent / (double)OctaveScale.MaxStepsPerOctave) - FinestHighStepOctaves);
        var highStep = Math.ScaleB(t, LowBits);
        Levels = (int)Math.Clamp(Math.Ceiling(ReachInSigmas / highStep), 1, 64) + 1;
        MaxMagnitude = ((long)Levels << LowBits) - 1;

        // P(h ≥ level) for level = 0…Levels (the last is 0: h saturates).
        var atLeast = new double[Levels + 1];
        atLeast[0] = 1;
        for (var level = 1; level < Levels; level++)
        {
            atLeast[level] = 2 * PortableMath.GaussianTail((Math.ScaleB(level, LowBits) - 0.5) * t);
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

        for (var level = 0; level < Levels; level++)
        {
            var q = (double)(_cumulative[level + 1] - _cumulative[level]) / total;
            entropy -= q * PortableMath.Log2(q);
        }

        NonZero = 2 * PortableMath.GaussianTail(0.5 * t);
        _centroids = Centroids(t, (int)Math.Min(CentroidCount, MaxMagnitude + 1));
        BitsPerCoordinate = entropy + LowBits + NonZero;
    }

    /// <summary>e in t = 2^(e/16).</summary>
    public int StepExponent { get; }

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
    /// What magnitude |k| decodes to, in units of Δ: the centroid of the cell [(|k| − ½)·t, (|k| + ½)·t] of N(0, 1),
    /// divided by t (the mean-square-optimal reconstruction; below |k| at low rates, where the density falls across
    /// a cell), for the first 256 magnitudes; |k| beyond them.
    /// </summary>
    public double Reconstruction(long magnitude) => magnitude < _centroids.Length ? _centroids[magnitude] : magnitude;

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
    /// The finest model (smallest e in −272…48, i.e. t from 2^−17 to 8) whose expected cost is at most
    /// <paramref name="bitsPerCoordinate"/>; the coarsest when none is. The cost falls as e grows, so a bisection.
    /// </summary>
    public static GaussianMagnitudeModel ForRate(double bitsPerCoordinate)
    {
        var (fine, coarse) = (-17 * OctaveScale.MaxStepsPerOctave, 3 * OctaveScale.MaxStepsPerOctave);
        var best = new GaussianMagnitudeModel(coarse);
        if (best.BitsPerCoordinate > bitsPerCoordinate)
        {
            return best;
        }

        while (coarse - fine > 1)
        {
            var middle = (fine + coarse) / 2;
            var model = new GaussianMagnitudeModel(middle);
            if (model.BitsPerCoordinate <= bitsPerCoordinate)
            {
                (coarse, best) = (middle, model);
            }
            else
            {
                fine = middle;
            }
        }

        var finest = new GaussianMagnitudeModel(fine);
        return finest.BitsPerCoordinate <= bitsPerCoordinate ? finest : best;
    }
}
