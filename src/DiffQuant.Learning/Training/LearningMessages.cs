using DiffQuant.Bits;
using DiffQuant.Transport;

namespace DiffQuant.Learning.Training;

/// <summary>
/// The messages of distributed training, in the core's envelopes: the opening and every iterate carry the model as
/// P binary32 values; the setup a worker's sample count (32 bits); the go message η (binary32); gradients their
/// compressor's code (DQ-SGD first B_n − 1 in 4 bits).
/// </summary>
internal static class LearningMessages
{
    public const int SetupBits = 32;
    public const int GoBits = 32;

    public static void WriteModel(BitWriter writer, MessageKind kind, int version, ReadOnlySpan<float> w)
    {
        Envelope.Begin(writer, kind, version);
        writer.WriteSingles(w);
    }

    public static void ReadModel(ref BitReader reader, Span<float> w, string receiver)
    {
        if (reader.Remaining != 32L * w.Length)
        {
            Guard.Throw($"{receiver}: expected a model of {32L * w.Length} bits, got {reader.Remaining}.");
        }

        reader.ReadSingles(w);
    }

    /// <summary>A worker's answer to the opening: reads w_0 into <paramref name="w"/> and writes the setup (its sample count).</summary>
    public static Payload AnswerOpening(ref BitReader reader, Span<float> w, int samples, BitWriter writer, string receiver)
    {
        Envelope.Open(ref reader, MessageKind.Opening, receiver).ExpectVersion(0, receiver);
        ReadModel(ref reader, w, receiver);
        Envelope.Begin(writer, MessageKind.Setup, 0);
        writer.Write((ulong)samples, SetupBits);
        return writer.ToPayload();
    }

    /// <summary>The step size a go message carries (binary32).</summary>
    public static float ReadGo(ref BitReader reader, string receiver)
    {
        Envelope.Open(ref reader, MessageKind.Go, receiver).ExpectVersion(0, receiver);
        var step = reader.ReadSingle();
        ExpectEnd(ref reader, receiver);
        return step;
    }

    public static void WriteGo(BitWriter writer, double step)
    {
        Envelope.Begin(writer, MessageKind.Go, 0);
        writer.WriteSingle((float)step);
    }

    /// <summary>A worker's sample count from its setup.</summary>
    public static int ReadSetup(ref BitReader reader, string receiver)
    {
        Envelope.Open(ref reader, MessageKind.Setup, receiver).ExpectVersion(0, receiver);
        var samples = (int)reader.Read(SetupBits);
        ExpectEnd(ref reader, receiver);
        return samples;
    }

    /// <summary>Widens the binary32 model into <paramref name="into"/> (the core's iterate is binary64).</summary>
    public static ReadOnlySpan<double> Widen(ReadOnlySpan<float> w, double[] into)
    {
        for (var i = 0; i < w.Length; i++)
        {
            into[i] = w[i];
        }

        return into;
    }

    public static void ExpectEnd(ref BitReader reader, string receiver)
    {
        if (reader.Remaining != 0)
        {
            Guard.Throw($"{receiver}: the message has {reader.Remaining} bits left over after decoding.");
        }
    }
}
