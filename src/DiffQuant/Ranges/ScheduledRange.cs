using DiffQuant.State;

namespace DiffQuant.Ranges;

/// <summary>A range fixed in advance as a function of the message index m: r_m = schedule(m).</summary>
public sealed class ScheduledRange(string name, Func<int, double> schedule) : IRangePolicy
{
    private int _messages;

    public string Name => name;

    public bool NeedsIterateStep => false;

    public double Peek(double iterateStep) => schedule(_messages);

    public double Next(double iterateStep) => schedule(_messages++);

    public void Observe(ReadOnlySpan<double> decoded)
    {
    }

    public void Save(SnapshotWriter writer) => writer.Write(_messages);

    public void Load(SnapshotReader reader) => _messages = reader.ReadInt32();
}
