using System.Buffers.Binary;

namespace DiffQuant.State;

/// <summary>Reads a snapshot written by <see cref="SnapshotWriter"/>; every defect is a clear <see cref="DiffQuantException"/>.</summary>
public sealed class SnapshotReader
{
    private readonly BinaryReader _reader;
    private readonly string _tag;

    /// <param name="expectedTag">What the snapshot must hold, e.g. "worker".</param>
    public SnapshotReader(ReadOnlySpan<byte> snapshot, string expectedTag)
    {
        if (snapshot.Length < 16)
        {
            Guard.Throw($"the {expectedTag} snapshot is truncated: {snapshot.Length} bytes.");
        }

        var body = snapshot[..^8];
        if (BinaryPrimitives.ReadUInt64LittleEndian(snapshot[^8..]) != SnapshotWriter.Checksum(body))
        {
            Guard.Throw($"the {expectedTag} snapshot is corrupt or truncated: its checksum does not match.");
        }

        _reader = new BinaryReader(new MemoryStream(body.ToArray()));
        _tag = expectedTag;
        if (_reader.ReadUInt32() != SnapshotWriter.Magic)
        {
            Guard.Throw($"not a DiffQuant snapshot (expected a {expectedTag} snapshot).");
        }

        var version = _reader.ReadInt32();
        if (version != SnapshotWriter.FormatVersion)
        {
            Guard.Throw($"snapshot format version {version} is not supported (this build reads version {SnapshotWriter.FormatVersion}).");
        }

        var tag = Read(_reader.ReadString);
        if (tag != expectedTag)
        {
            Guard.Throw($"expected a {expectedTag} snapshot, got a {tag} snapshot.");
        }
    }

    public int ReadInt32() => Read(_reader.ReadInt32);

    public long ReadInt64() => Read(_reader.ReadInt64);

    public double ReadDouble() => Read(_reader.ReadDouble);

    public bool ReadBoolean() => Read(_reader.ReadBoolean);

    public string ReadString() => Read(_reader.ReadString);

    /// <summary>Reads a vector saved with <see cref="SnapshotWriter.Write(ReadOnlySpan{double})"/> into <paramref name="into"/>, which must have its length.</summary>
    public void ReadDoubles(Span<double> into, string what)
    {
        var length = ReadInt32();
        if (length != into.Length)
        {
            Guard.Throw($"the {_tag} snapshot holds {what} of length {length}, expected {into.Length}: it was saved for another configuration.");
        }

        for (var i = 0; i < length; i++)
        {
            into[i] = ReadDouble();
        }
    }

    public byte[] ReadBytes()
    {
        var length = ReadInt32();
        if (length < 0 || length > _reader.BaseStream.Length - _reader.BaseStream.Position)
        {
            Guard.Throw($"the {_tag} snapshot is malformed: a field claims {length} bytes.");
        }

        return _reader.ReadBytes(length);
    }

    /// <summary>Checks a saved value equals the one this restore expects (configuration drift is refused).</summary>
    public void Expect<T>(T saved, T expected, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(saved, expected))
        {
            Guard.Throw($"the {_tag} snapshot was saved with {what} = {saved}, but this object has {expected}.");
        }
    }

    /// <summary>Checks that everything was read.</summary>
    public void End()
    {
        if (_reader.BaseStream.Position != _reader.BaseStream.Length)
        {
            Guard.Throw($"the {_tag} snapshot has {_reader.BaseStream.Length - _reader.BaseStream.Position} unread bytes: it was saved for another configuration.");
        }
    }

    private T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException)
        {
            throw new DiffQuantException($"the {_tag} snapshot is truncated.");
        }
    }
}
