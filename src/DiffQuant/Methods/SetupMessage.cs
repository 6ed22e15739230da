using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// A worker's one-time description of its problem, the server's only source of it: L_k, μ_k and a scale
/// (D ≥ ‖x̂_0 − x*‖ or the first input's size, per <see cref="Ranges.SetupScale"/>), each in <see cref="FieldBits"/>
/// bits (48 bits, counted as setup bits): a non-negative float with binary32's 8 exponent bits and 8 mantissa bits
/// (binary32's bits 30…15; relative spacing 2^−8). <see cref="Create"/> rounds outward — L and the scale up, μ down —
/// so the server's values stay bounds (a step 1/L' ≤ 1/L is still safe, D' ≥ D still covers) and cost at most 2^−8 of
/// the condition number each. Both ends use the rounded values. μ_k may be 0 for one of several workers (a
/// rank-deficient shard).
/// </summary>
public readonly record struct SetupMessage(double L, double Mu, double Scale)
{
    /// <summary>Bits of one field.</summary>
    public const int FieldBits = 16;

    public const int Bits = 3 * FieldBits;

    /// <summary>binary32 bits dropped from the field: the sign (above) and the low 15 mantissa bits.</summary>
    private const int DroppedBits = 15;

    /// <summary>The message a worker sends for these values: L and the scale rounded up, μ down, to the wire's grid.</summary>
    public static SetupMessage Create(double l, double mu, double scale) =>
        new(Round(l, "L", up: true), Round(mu, "μ", up: false), Round(scale, "the scale (D or r_0)", up: true));

    public void Write(BitWriter writer)
    {
        writer.Write(Field(L), FieldBits);
        writer.Write(Field(Mu), FieldBits);
        writer.Write(Field(Scale), FieldBits);
    }

    /// <summary>Reads the body of a setup message (the reader stands after the envelope).</summary>
    /// <param name="following">Bits the reader holds after this setup (a relay go message carries several).</param>
    public static SetupMessage Read(ref BitReader reader, long following = 0)
    {
        if (reader.Remaining != Bits + following)
        {
            Guard.Throw($"a setup message has {Bits} bits after its envelope, got {reader.Remaining - following}.");
        }

        var message = new SetupMessage(Value(reader.Read(FieldBits)), Value(reader.Read(FieldBits)), Value(reader.Read(FieldBits)));
        Guard.Positive(message.L, "L in the setup message");
        if (!(message.Mu >= 0) || !double.IsFinite(message.Mu) || message.Mu > message.L)
        {
            Guard.Throw($"μ in the setup message must lie in [0, L], got {message.Mu}.");
        }

        Guard.Positive(message.Scale, "the scale (D or r_0) in the setup message");
        return message;
    }

    /// <summary>The nearest wire value at or above (<paramref name="up"/>) or at or below <paramref name="value"/>.</summary>
    private static double Round(double value, string name, bool up)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            Guard.Throw($"{name} must be a finite non-negative number to be sent in a setup message, got {value}.");
        }

        var single = (float)value; // to nearest; then step to the bound's side on the coarser grid
        var bits = BitConverter.SingleToUInt32Bits(single) >> DroppedBits;
        var rounded = Value(bits);
        if (up ? rounded < value : rounded > value)
        {
            bits = up ? bits + 1 : bits - 1;
        }

        var result = Value(bits);
        if (!double.IsFinite(result) || (up ? result < value : result > value))
        {
            Guard.Throw($"{name} = {value} is outside the setup message's range (up to about 3.4e38).");
        }

        return result;
    }

    private static ulong Field(double value) => BitConverter.SingleToUInt32Bits((float)value) >> DroppedBits;

    private static double Value(ulong field) => BitConverter.UInt32BitsToSingle((uint)field << DroppedBits);
}
