using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace DiffQuant.Quantization;

/// <summary>
/// Up to two runs of doubles a chunked code is about to use (the next chunk's input, the current chunk's output unless
/// it is written past the caches, see <see cref="HadamardRotation.StreamedLength"/>), fetched one 64-byte line (eight
/// doubles) a step of a loop that runs meanwhile: on vectors that do not fit in the
/// caches a chunk's reads and writes then overlap the work before them instead of stalling it in bursts. A hint to
/// the processor only (no value depends on it; nothing where SSE is missing; the default fetches nothing).
/// </summary>
internal unsafe struct Lookahead
{
    /// <summary>
    /// The shortest vector worth it: below 2^17 coordinates (1 MB of doubles) a code's input and output stay in the
    /// second-level cache from one message to the next, and fetching them ahead only costs instructions.
    /// </summary>
    public const int MinLength = 1 << 17;

    private double* _first;
    private int _firstLines;
    private double* _second;
    private int _secondLines;

    /// <summary>The runs at <paramref name="first"/> and <paramref name="second"/> (null for none), pinned by the caller while this is used.</summary>
    public Lookahead(double* first, int firstLength, double* second, int secondLength)
    {
        _first = first;
        _firstLines = first == null ? 0 : (firstLength + 7) / 8;
        _second = second;
        _secondLines = second == null ? 0 : (secondLength + 7) / 8;
    }

    /// <summary>Fetches the next line of each run not yet fetched through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step()
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        if (_firstLines > 0)
        {
            Sse.Prefetch0(_first);
            _first += 8;
            _firstLines--;
        }

        if (_secondLines > 0)
        {
            Sse.Prefetch0(_second);
            _second += 8;
            _secondLines--;
        }
    }
}
