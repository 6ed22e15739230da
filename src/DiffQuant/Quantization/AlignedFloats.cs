namespace DiffQuant.Quantization;

/// <summary>
/// A buffer of binary32 values whose first value sits at the start of a 64-byte cache line: a pinned array (it never
/// moves) with fewer than <see cref="Slack"/> values before that point. The transforms sweep their buffer a dozen times
/// a message in 32-byte registers; from an array's usual 8- or 16-byte alignment every other register straddles two
/// lines, which slows each sweep, and an unpinned array's alignment changes when a collection moves it.
/// </summary>
internal sealed class AlignedFloats
{
    /// <summary>Values in one cache line: the first aligned value lies fewer than this past the array's start.</summary>
    private const int Slack = 64 / sizeof(float);

    private readonly float[] _values;
    private readonly int _start;

    public AlignedFloats(int length)
    {
        _values = GC.AllocateArray<float>(length + Slack, pinned: true);
        _start = Offset(_values);
        Length = length;
    }

    public int Length { get; }

    /// <summary>Values <paramref name="start"/> … start + length − 1 of the buffer.</summary>
    public Span<float> Slice(int start, int length) => _values.AsSpan(_start + start, length);

    /// <summary>The first index of <paramref name="values"/> (pinned) on a 64-byte boundary.</summary>
    private static unsafe int Offset(float[] values)
    {
        fixed (float* first = values)
        {
            var misalignment = (int)((nuint)first % 64);
            return misalignment == 0 ? 0 : (64 - misalignment) / sizeof(float);
        }
    }
}
