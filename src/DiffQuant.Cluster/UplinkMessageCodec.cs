using System.Text;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace DiffQuant.Cluster;

/// <summary>
/// Orleans' wire form of an <see cref="UplinkMessage"/>: one length-prefixed field holding the key's length (4 bytes),
/// the key (UTF-8), the bit length (8 bytes) and the body. Reading takes the key and the body's length before the body
/// and asks <see cref="UplinkLimits"/>: a body longer than its link's longest message is skipped, never copied into an
/// array (the connection's pooled buffer, bounded by Orleans' message size limit, is all it occupies).
/// </summary>
[RegisterSerializer]
public sealed class UplinkMessageCodec : IFieldCodec<UplinkMessage>
{
    /// <summary>The longest key read (grain keys are a run's name and two numbers); a longer one is refused unread.</summary>
    public const int MaxKeyBytes = 1024;

    private const int FixedBytes = sizeof(int) + sizeof(long);

    public UplinkMessage ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<UplinkMessage, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        long length = reader.ReadVarUInt32();
        long keyBytes = length < FixedBytes ? -1 : reader.ReadUInt32();
        UplinkMessage result;
        if (keyBytes < 0 || keyBytes > MaxKeyBytes || keyBytes > length - FixedBytes)
        {
            reader.Skip(Math.Max(0, length - (keyBytes < 0 ? 0 : sizeof(int))));
            result = new UplinkMessage { Refusal = $"a reply of {length} bytes without a readable worker key was refused unread." };
        }
        else
        {
            var key = Encoding.UTF8.GetString(reader.ReadBytes((uint)keyBytes));
            var bitLength = reader.ReadInt64();
            var body = length - FixedBytes - keyBytes;
            var refusal = UplinkLimits.Refusal(key, body);
            if (refusal is null)
            {
                result = new UplinkMessage { Link = key, Bytes = reader.ReadBytes((uint)body), BitLength = bitLength };
            }
            else
            {
                reader.Skip(body);
                result = new UplinkMessage { Link = key, BitLength = bitLength, Refusal = refusal };
            }
        }

        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, UplinkMessage? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        // Writes null, or a reference to a message already written; otherwise records this one.
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        var key = Encoding.UTF8.GetBytes(value.Link);
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(UplinkMessage), WireType.LengthPrefixed);
        writer.WriteVarUInt32(checked((uint)(FixedBytes + key.Length + value.Bytes.Length)));
        writer.WriteUInt32((uint)key.Length);
        writer.Write(key);
        writer.WriteInt64(value.BitLength);
        writer.Write(value.Bytes);
    }
}
