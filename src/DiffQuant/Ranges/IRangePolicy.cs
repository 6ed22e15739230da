using DiffQuant.State;

namespace DiffQuant.Ranges;

/// <summary>
/// The range state of one link, held alike by the worker and the server and advanced by the same calls in
/// the same order from what both know (the setup, the decoded messages, the decoded iterates), so that both
/// ends use bit-equal ranges without spending bits on them.
/// </summary>
public interface IRangePolicy
{
    /// <summary>"worst-case", "paper" or "adaptive".</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Next"/> uses the iterate step (only then do both ends compute it).</summary>
    bool NeedsIterateStep { get; }

    /// <summary>The range of the next message without advancing (to check it is usable before a round).</summary>
    double Peek(double iterateStep);

    /// <summary>
    /// The range r_m of the link's next message m = 0, 1, …; <paramref name="iterateStep"/> is
    /// ‖x̃_t − x̃_{t−1}‖ of the decoded iterates the message is computed at (0 for the first).
    /// </summary>
    double Next(double iterateStep);

    /// <summary>Hears the decoded message q_m (both ends have it bit for bit).</summary>
    void Observe(ReadOnlySpan<double> decoded);

    void Save(SnapshotWriter writer);

    void Load(SnapshotReader reader);
}
