using System.Numerics.Tensors;
using DiffQuant.State;

namespace DiffQuant.Ranges;

/// <summary>
/// A backward-adaptive range: r_0 from the setup, then r_{m+1} = g·(‖q_m‖∞ + ε∞ r_m) with g =
/// <see cref="Growth"/> and ε∞ the quantizer's worst coordinate error at range 1. Since |u_i| ≤ |q_i| + ε∞ r
/// inside the range, r_{m+1} covers an input up to g times the last one; a saturated coordinate decodes at
/// the edge and so widens the next range by g. Zero bits per message; no L, μ or D.
/// </summary>
public sealed class AdaptiveRange(double initialRange, double coordinateError) : IRangePolicy
{
    private readonly double _initial = initialRange;
    /// <summary>g: how much larger than the last input the next one may be (one bit of headroom).</summary>
    public const double Growth = 2;

    private int _messages;
    private double _current;
    private double _next;

    public string Name => "adaptive";

    public bool NeedsIterateStep => false;

    public double Peek(double iterateStep) => _messages == 0 ? _initial : _next;

    public double Next(double iterateStep)
    {
        _current = Peek(iterateStep);
        _messages++;
        return _current;
    }

    public void Observe(ReadOnlySpan<double> decoded) =>
        _next = Growth * (Math.Abs(TensorPrimitives.MaxMagnitude(decoded)) + (coordinateError * _current));

    public void Save(SnapshotWriter writer)
    {
        writer.Write(_messages);
        writer.Write(_current);
        writer.Write(_next);
    }

    public void Load(SnapshotReader reader)
    {
        _messages = reader.ReadInt32();
        _current = reader.ReadDouble();
        _next = reader.ReadDouble();
    }
}
