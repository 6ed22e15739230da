using System.Buffers.Binary;

namespace DiffQuant.State;

/// <summary>
/// Writes a versioned snapshot: "DQSN", the format version, a tag naming what is saved, the fields, and an
/// FNV-1a 64 checksum of everything before it, so that <see cref="SnapshotReader"/> refuses a corrupt or
/// truncated snapshot instead of restoring wrong state.
/// </summary>
public sealed class SnapshotWriter
{
    internal const uint Magic = 0x4E535144; // "DQSN" little-endian
    internal const int FormatVersion = 2;
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    public SnapshotWriter(string tag)
    {
        _writer = new BinaryWriter(_stream);
        _writer.Write(Magic);
        _writer.Write(FormatVersion);
        _writer.Write(tag);
    }

    public void Write(int value) => _writer.Write(value);

    public void Write(long value) => _writer.Write(value);

    public void Write(double value) => _writer.Write(value);

    public void Write(bool value) => _writer.Write(value);

    public void Write(string value) => _writer.Write(value);

    public void Write(ReadOnlySpan<double> values)
    {
        _writer.Write(values.Length);
        foreach (var v in values)
        {
            _writer.Write(v);
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _writer.Write(bytes.Length);
        _writer.Write(bytes);
    }

    /// <summary>The snapshot with its checksum.</summary>
    public byte[] ToArray()
    {
        _writer.Flush();
        var body = _stream.ToArray();
        var result = new byte[body.Length + 8];
        body.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(body.Length), Checksum(body));
        return result;
    }

    /// <summary>FNV-1a, 64 bits.</summary>
    internal static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return hash;
    }
}
