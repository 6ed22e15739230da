using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// A worker's one-time description of its problem, the server's only source of it: L_k, μ_k and a scale
/// (D ≥ ‖x̂_0 − x*‖ or the first input's size, per <see cref="Ranges.SetupScale"/>) as three binary64 numbers
/// (192 bits, counted as setup bits). μ_k may be 0 for one of several workers (a rank-deficient shard).
/// </summary>
public readonly record struct SetupMessage(double L, double Mu, double Scale)
{
    public const int Bits = 3 * 64;

    public void Write(BitWriter writer)
    {
        writer.WriteDouble(L);
        writer.WriteDouble(Mu);
        writer.WriteDouble(Scale);
    }

    /// <summary>Reads the body of a setup message (the reader stands after the envelope).</summary>
    /// <param name="following">Bits the reader holds after this setup (a relay go message carries several).</param>
    public static SetupMessage Read(ref BitReader reader, long following = 0)
    {
        if (reader.Remaining != Bits + following)
        {
            Guard.Throw($"a setup message has {Bits} bits after its envelope, got {reader.Remaining - following}.");
        }

        var message = new SetupMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        Guard.Positive(message.L, "L in the setup message");
        if (!(message.Mu >= 0) || !double.IsFinite(message.Mu) || message.Mu > message.L)
        {
            Guard.Throw($"μ in the setup message must lie in [0, L], got {message.Mu}.");
        }

        Guard.Positive(message.Scale, "the scale (D or r_0) in the setup message");
        return message;
    }
}
