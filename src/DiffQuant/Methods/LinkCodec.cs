using DiffQuant.Bits;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.State;

namespace DiffQuant.Methods;

/// <summary>
/// What each end of link k derives, by the same code, from the config, the setup and the go message: its
/// quantizer at the link's rate R_k (its shared seed mixed with k) and, under a <see cref="RateRamp"/>, the same
/// quantizer at each message's rate R_m; its range policy, its <see cref="StepHistory"/> and its message count m, the
/// step of its shared randomness. Equal inputs give bit-equal ranges, histories and codes on both ends.
/// </summary>
public sealed class LinkCodec
{
    private readonly IRangePolicy? _range;
    private readonly StepHistory _history = new();
    private readonly QuantizerSpec _spec;
    private readonly RateRamp _ramp;
    private readonly int _dimension;

    /// <summary>The code of the ramp's current rate below R_k (null at R_k): R_m never falls, so a passed rate never returns.</summary>
    private IQuantizer? _ramped;

    public LinkCodec(MethodConfig config, int link, SetupMessage setup, Tuning tuning, double rate)
    {
        _spec = config.Quantizer.At(rate) with { Seed = config.Quantizer.Seed + ((ulong)link * 0x9E3779B97F4A7C15UL) };
        (_ramp, _dimension) = (config.Ramp, config.Dimension);
        Quantizer = _spec.Create(config.Dimension);

        // The adaptive range's error margin (a code without its own scale) is taken at the lowest rate a ramp codes at,
        // which bounds every message's error.
        _range = RangePolicies.Create(config, setup, tuning, CodeOf(0));
    }

    /// <summary>The link's quantizer at its rate R_k: every message's without a ramp, and the largest budget with one.</summary>
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
        var code = CodeOf(Messages);
        var context = Next(iterateStep, code);
        var overloads = code.Encode(u, context, writer, q);
        _range?.Observe(q);
        return overloads;
    }

    /// <summary>Decodes one message body into q.</summary>
    public void Decode(ref BitReader reader, double iterateStep, Span<double> q)
    {
        var code = CodeOf(Messages);
        var context = Next(iterateStep, code);
        code.Decode(ref reader, context, q);
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

    /// <summary>The quantizer of message m: the link's own, or under a ramp the same kind and seed at R_m.</summary>
    private IQuantizer CodeOf(long message)
    {
        var rate = _ramp.RateOf(_spec.Rate, message);
        if (rate == _spec.Rate)
        {
            return Quantizer;
        }

        if (_ramped?.Rate != rate)
        {
            _ramped = (_spec with { Rate = rate }).Create(_dimension);
        }

        return _ramped;
    }

    private QuantizerContext Next(double iterateStep, IQuantizer code)
    {
        var range = _range?.Next(iterateStep) ?? 1;
        if (!Usable(range))
        {
            Guard.Throw($"the range of message {Messages} is {range}: the {RangeName} range is exhausted.");
        }

        return new QuantizerContext(range, Messages++, code.BudgetBits, _history);
    }

    private static bool Usable(double range) => double.IsNormal(range) && range > 0;
}
