using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// The worker's one-time description of the problem, the server's only source of it: L, μ and
/// D ≥ ‖x̂_0 − x*‖ as three binary64 numbers (192 bits, counted as setup bits).
/// </summary>
public readonly record struct SetupMessage(double L, double Mu, double D)
{
    public const int Bits = 3 * 64;

    public void Write(BitWriter writer)
    {
        writer.WriteDouble(L);
        writer.WriteDouble(Mu);
        writer.WriteDouble(D);
    }

    public static SetupMessage Read(Payload payload)
    {
        if (payload.BitLength != Bits)
        {
            Guard.Throw($"a setup message has {Bits} bits, got {payload.BitLength}.");
        }

        var reader = new BitReader(payload);
        var message = new SetupMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        Guard.Positive(message.L, "L in the setup message");
        Guard.Positive(message.Mu, "μ in the setup message");
        Guard.Positive(message.D, "D in the setup message");
        return message;
    }
}
