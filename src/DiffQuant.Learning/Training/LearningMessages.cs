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

    public static void ExpectEnd(ref BitReader reader, string receiver)
    {
        if (reader.Remaining != 0)
        {
            Guard.Throw($"{receiver}: the message has {reader.Remaining} bits left over after decoding.");
        }
    }
}
