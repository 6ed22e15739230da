using DiffQuant.Bits;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.State;

namespace DiffQuant.Methods;

/// <summary>
/// What each end of link k derives, by the same code, from the config, the setup and the go message: its
/// quantizer at the link's rate R_k (its shared seed mixed with k), its range policy, its
/// <see cref="StepHistory"/> and its message count m, the step of its shared randomness. Equal inputs give
/// bit-equal ranges, histories and codes on both ends.
/// </summary>
public sealed class LinkCodec
{
    private readonly IRangePolicy? _range;
    private readonly StepHistory _history = new();

    public LinkCodec(MethodConfig config, int link, SetupMessage setup, Tuning tuning, double rate)
    {
        var spec = config.Quantizer.At(rate) with { Seed = config.Quantizer.Seed + ((ulong)link * 0x9E3779B97F4A7C15UL) };
        Quantizer = spec.Create(config.Dimension);
        _range = RangePolicies.Create(config, setup, tuning, Quantizer);
    }

    public IQuantizer Quantizer { get; }

    /// <summary>Messages coded so far on this link (m).</summary>
    public int Messages { get; private set; }

    /// <summary>The range policy's name, or "none" for float codecs.</summary>
    public string RangeName => _range?.Name ?? "none";

    /// <summary>Whether the range of the next message depends on ‖x̃_t − x̃_{t−1}‖.</summary>
    public bool NeedsIterateStep => _range?.NeedsIterateStep ?? false;

    /// <summary>Whether the next message's range is usable (positive, normal, finite).</summary>
    public bool CanContinue(double iterateStep) => _range is null || Usable(_range.Peek(iterateStep));

    /// <summary>Quantizes u into <paramref name="writer"/> and q; returns the overloads.</summary>
    public int Encode(ReadOnlySpan<double> u, double iterateStep, BitWriter writer, Span<double> q)
    {
        var context = Next(iterateStep);
        var overloads = Quantizer.Encode(u, context, writer, q);
        _range?.Observe(q);
        return overloads;
    }

    /// <summary>Decodes one message body into q.</summary>
    public void Decode(ref BitReader reader, double iterateStep, Span<double> q)
    {
        var context = Next(iterateStep);
        Quantizer.Decode(ref reader, context, q);
        _range?.Observe(q);
    }

    public void Save(SnapshotWriter writer)
    {
        writer.Write(Messages);
        _range?.Save(writer);
        _history.Save(writer);
    }

    public void Load(SnapshotReader reader)
    {
        Messages = reader.ReadInt32();
        _range?.Load(reader);
        _history.Load(reader);
    }

    private QuantizerContext Next(double iterateStep)
    {
        var range = _range?.Next(iterateStep) ?? 1;
        if (!Usable(range))
        {
            Guard.Throw($"the range of message {Messages} is {range}: the {RangeName} range is exhausted.");
        }

        return new QuantizerContext(range, Messages++, Quantizer.BudgetBits, _history);
    }

    private static bool Usable(double range) => double.IsNormal(range) && range > 0;
}
