using System.Diagnostics.CodeAnalysis;

namespace DiffQuant;

/// <summary>Argument checks whose throwing paths stay out of hot loops.</summary>
internal static class Guard
{
    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            Throw($"{name} must be a finite number, got {value}.");
        }
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            Throw($"{name} must be a positive finite number, got {value}.");
        }
    }

    public static void AllFinite(ReadOnlySpan<double> values, string name)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                Throw($"{name}[{i}] is {values[i]}: all entries must be finite.");
            }
        }
    }

    public static void SameLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            Throw($"dimension mismatch: {name} has length {actual}, expected {expected}.");
        }
    }

    [DoesNotReturn]
    public static void Throw(string message) => throw new DiffQuantException(message);
}
