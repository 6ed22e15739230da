namespace DiffQuant.Problems;

/// <summary>
/// Standard normal draws by the ziggurat method (Marsaglia and Tsang, 2000) with 128 layers of equal area
/// V under f(x) = exp(−x²/2), in the form of Doornik (2005): each draw takes 7 bits of one 64-bit output for
/// the layer and its top 53 bits for an independent uniform, so layer and value share no bits. About 98.8%
/// of draws cost one multiply and one compare; the rest test the wedge with exp or sample the tail beyond
/// R by Marsaglia's method. Written here because MathNet's Box–Muller costs a log, a square root and a sine
/// or cosine per draw, about three times as much, and instance generation is a large part of a sweep.
/// </summary>
public static class NormalZiggurat
{
    private const int Layers = 128;

    /// <summary>R, the right edge of the bottom layer, and V, each layer's area, for 128 layers.</summary>
    private const double R = 3.442619855899;
    private const double V = 9.91256303526217e-3;

    /// <summary>X[i], the right edge of layer i (X[0] = V/f(R) for the base strip with its tail, X[128] = 0).</summary>
    private static readonly double[] X = Edges();

    /// <summary>X[i+1]/X[i]: a uniform below it lands inside the layer's rectangle under the curve.</summary>
    private static readonly double[] Inner = [.. Enumerable.Range(0, Layers).Select(i => X[i + 1] / X[i])];

    /// <summary>f(X[i]).</summary>
    private static readonly double[] Density = [.. X.Select(x => Math.Exp(-0.5 * x * x))];

    /// <summary>Fills <paramref name="values"/> with i.i.d. N(0, 1) draws from <paramref name="random"/>.</summary>
    public static void Fill(ref Xoshiro256 random, Span<double> values)
    {
        var edges = X.AsSpan();
        var inner = Inner.AsSpan();
        for (var k = 0; k < values.Length; k++)
        {
            var bits = random.Next();
            var layer = (int)(bits & (Layers - 1));
            var u = SignedUnit(bits);
            values[k] = Math.Abs(u) < inner[layer] ? u * edges[layer] : Slow(ref random, layer, u);
        }
    }

    /// <summary>The rare draws: the tail beyond R from the base strip, or the wedge test of a layer, retried.</summary>
    private static double Slow(ref Xoshiro256 random, int layer, double u)
    {
        while (true)
        {
            if (layer == 0)
            {
                // Marsaglia (1964): x = −ln(U₁)/R, y = −ln(U₂), accept when 2y > x².
                double x, y;
                do
                {
                    x = -Math.Log(random.NextOpenUnit()) / R;
                    y = -Math.Log(random.NextOpenUnit());
                }
                while (y + y <= x * x);
                return u < 0 ? -(R + x) : R + x;
            }

            var candidate = u * X[layer];
            var height = Density[layer] + (random.NextOpenUnit() * (Density[layer + 1] - Density[layer]));
            if (height < Math.Exp(-0.5 * candidate * candidate))
            {
                return candidate;
            }

            var bits = random.Next();
            layer = (int)(bits & (Layers - 1));
            u = SignedUnit(bits);
            if (Math.Abs(u) < Inner[layer])
            {
                return u * X[layer];
            }
        }
    }

    /// <summary>A uniform in [−1, 1) from the top 53 bits (the sign bit included), 2^−52 apart.</summary>
    private static double SignedUnit(ulong bits) => ((long)bits >> 11) * (1.0 / (1L << 52));

    private static double[] Edges()
    {
        var edges = new double[Layers + 1];
        var f = Math.Exp(-0.5 * R * R);
        edges[0] = V / f;
        edges[1] = R;
        for (var i = 2; i < Layers; i++)
        {
            // f(X[i]) = V/X[i−1] + f(X[i−1]): the layer between them has area V.
            edges[i] = Math.Sqrt(-2 * Math.Log((V / edges[i - 1]) + Math.Exp(-0.5 * edges[i - 1] * edges[i - 1])));
        }

        edges[Layers] = 0;
        return edges;
    }
}
