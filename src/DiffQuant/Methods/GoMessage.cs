using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// The server's answer to all setups, one per worker: the step size η and momentum γ it tuned from the
/// setups, and the worker's rate R_k (binary64 each, 192 downlink setup bits). The server is the one source
/// of the tuning: with K workers no worker knows L and μ of f = Σ f_k.
/// </summary>
public readonly record struct GoMessage(double StepSize, double Gamma, double Rate)
{
    public const int Bits = 3 * 64;

    public void Write(BitWriter writer)
    {
        writer.WriteDouble(StepSize);
        writer.WriteDouble(Gamma);
        writer.WriteDouble(Rate);
    }

    /// <param name="following">Bits the body holds after the go message (a relay downlink's setups of the other workers).</param>
    public static GoMessage Read(ref BitReader reader, long following = 0)
    {
        if (reader.Remaining != Bits + following)
        {
            Guard.Throw($"a go message has {Bits + following} bits after its envelope, got {reader.Remaining}.");
        }

        var message = new GoMessage(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        Guard.Positive(message.StepSize, "η in the go message");
        Guard.Positive(message.Rate, "the rate in the go message");
        if (!(message.Gamma >= 0 && message.Gamma < 1))
        {
            Guard.Throw($"γ in the go message must lie in [0, 1), got {message.Gamma}.");
        }

        return message;
    }
}
