namespace DiffQuant.Quantization;

/// <summary>
/// exp, log2 and the Gaussian tail from additions, multiplications, divisions and exact scalings only. IEEE-754
/// rounds each of those correctly, so these give the same bits on every machine and runtime (Math.Exp and Math.Log
/// call the platform's libm, which may differ by an ulp): an entropy coder's model built from them is identical at
/// both ends of a link. Accuracy: about 1e-15 relative for exp and log2, 1.2e-7 relative for erfc.
/// </summary>
public static class PortableMath
{
    private const double Ln2 = 0.6931471805599453;

    // ln 2 split (fdlibm's): the high part has 32 trailing zero bits, so k·Ln2High is exact for |k| < 2^20.
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;

    /// <summary>e^x; 0 below −745, +∞ above 709.8.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x < -745)
        {
            return 0;
        }

        if (x > 709.78)
        {
            return double.PositiveInfinity;
        }

        // x = k·ln 2 + r with |r| ≤ ln 2 / 2; e^r by its Taylor series to the 14th power (error below 1e-17).
        var k = Math.Round(x / Ln2);
        var r = (x - (k * Ln2High)) - (k * Ln2Low);
        var sum = 1.0;
        for (var i = 14; i >= 1; i--)
        {
            sum = 1 + (sum * r / i);
        }

        return Math.ScaleB(sum, (int)k);
    }

    /// <summary>log2 x for x &gt; 0 (−∞ at 0, NaN below).</summary>
    public static double Log2(double x)
    {
        if (!(x > 0))
        {
            return x == 0 ? double.NegativeInfinity : double.NaN;
        }

        if (double.IsPositiveInfinity(x))
        {
            return x;
        }

        // x = m·2^e with m in [1/√2, √2); ln m = 2·atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.172.
        var e = Math.ILogB(x);
        var m = Math.ScaleB(x, -e);
        if (m > 1.4142135623730951)
        {
            m /= 2;
            e++;
        }

        var z = (m - 1) / (m + 1);
        var z2 = z * z;
        var series = 0.0;
        for (var i = 27; i >= 1; i -= 2)
        {
            series = (1.0 / i) + (z2 * series);
        }

        return e + (2 * z * series / Ln2);
    }

    /// <summary>
    /// erfc z for z ≥ 0 (Chebyshev fit, Press et al., Numerical Recipes §6.2: relative error below 1.2e-7); erfc(−z) =
    /// 2 − erfc z.
    /// </summary>
    public static double Erfc(double z)
    {
        var a = Math.Abs(z);
        var t = 1 / (1 + (0.5 * a));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var value = t * Exp((-a * a) + poly);
        return z >= 0 ? value : 2 - value;
    }

    /// <summary>φ(x) = e^(−x²/2)/√(2π), the N(0, 1) density.</summary>
    public static double GaussianDensity(double x) => Exp(-0.5 * x * x) * 0.3989422804014327;

    /// <summary>P(X &gt; x) for X ~ N(0, 1): ½·erfc(x/√2).</summary>
    public static double GaussianTail(double x) => 0.5 * Erfc(x * 0.7071067811865476);
}
