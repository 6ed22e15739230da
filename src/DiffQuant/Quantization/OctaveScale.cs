namespace DiffQuant.Quantization;

/// <summary>
/// x·2^(steps/d) for d = 1, 2, 4, 8 or 16 steps per octave, from correctly rounded square roots and products only, so
/// that an encoder and a decoder on any machine compute the same bits (Math.Pow and Math.Exp may differ by an ulp
/// between runtimes). The scales sent in payloads (the rotated codes' gains and steps) are decoded through it.
/// </summary>
public static class OctaveScale
{
    /// <summary>The finest grid: sixteen steps per octave.</summary>
    public const int MaxStepsPerOctave = 16;

    // 2^(1/2), 2^(1/4), 2^(1/8), 2^(1/16): each the square root of the one before.
    private static readonly double[] Roots = BuildRoots();

    // 2^(i/16) for i = 0…15, the product of the roots of i's set bits, largest first.
    private static readonly double[] Sixteenths = BuildSixteenths();

    /// <summary>x·2^(steps/stepsPerOctave); stepsPerOctave must divide 16.</summary>
    public static double Scale(double x, int steps, int stepsPerOctave)
    {
        if (stepsPerOctave is not (1 or 2 or 4 or 8 or 16))
        {
            Guard.Throw($"an octave divides into 1, 2, 4, 8 or 16 steps, got {stepsPerOctave}.");
        }

        var octaves = (int)Math.Floor(steps / (double)stepsPerOctave);
        var within = (steps - (octaves * stepsPerOctave)) * (MaxStepsPerOctave / stepsPerOctave);
        return Math.ScaleB(x * Sixteenths[within], octaves);
    }

    /// <summary>⌊16·log2 x⌋ for a positive normal x, exactly: the octave from the exponent, the sixteenth by comparing the mantissa with 2^(i/16).</summary>
    public static int FloorSteps(double x)
    {
        if (!double.IsNormal(x) || x < 0)
        {
            Guard.Throw($"the sixteenth-octave of {x} is undefined (it must be a positive normal number).");
        }

        var octave = Math.ILogB(x);
        var mantissa = Math.ScaleB(x, -octave);
        var within = MaxStepsPerOctave - 1;
        while (Sixteenths[within] > mantissa)
        {
            within--;
        }

        return (octave * MaxStepsPerOctave) + within;
    }

    private static double[] BuildRoots()
    {
        var roots = new double[4];
        roots[0] = Math.Sqrt(2);
        for (var i = 1; i < roots.Length; i++)
        {
            roots[i] = Math.Sqrt(roots[i - 1]);
        }

        return roots;
    }

    private static double[] BuildSixteenths()
    {
        var table = new double[MaxStepsPerOctave];
        for (var i = 0; i < table.Length; i++)
        {
            var value = 1.0;
            var started = false;
            for (var bit = 0; bit < Roots.Length; bit++)
            {
                if ((i & (8 >> bit)) != 0)
                {
                    value = started ? value * Roots[bit] : Roots[bit];
                    started = true;
                }
            }

            table[i] = value;
        }

        return table;
    }
}
