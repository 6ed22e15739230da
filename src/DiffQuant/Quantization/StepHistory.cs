using DiffQuant.State;

namespace DiffQuant.Quantization;

/// <summary>
/// The steps a link's entropy-coded rotated code used, held alike by both ends (like the range) so that a message can
/// name its step Δ_m by its change from the last one instead of by a 7-bit index. Δ_m = Δ_{m−1}·2^(c_m/16); the
/// prediction is the rounded mean of the last <see cref="Window"/> changes c (in sixteenth-octaves), and the message
/// codes the residual d = c_m − prediction, |d| ≤ <see cref="Reach"/>, under a two-sided geometric model whose
/// ratio 2^(−14/16) was fitted to a development trace of DQ-HB on the Gaussian problem; anything else
/// escapes to the 7-bit index. Under a contraction the input's scale falls by a near-constant factor each step,
/// which is what the mean of recent changes tracks. Advanced only by decoded messages, through integer changes and
/// <see cref="OctaveScale"/>, so both ends hold bit-equal histories on any machine.
/// </summary>
public sealed class StepHistory
{
    /// <summary>How many recent changes the prediction averages.</summary>
    public const int Window = 4;

    /// <summary>The largest |d| coded as a residual.</summary>
    public const int Reach = 15;

    /// <summary>The symbol after the residuals −Reach…Reach: the step follows as a 7-bit index.</summary>
    public const int Escape = 2 * Reach + 1;

    /// <summary>The residual model's frequencies are out of 2^TotalBits.</summary>
    public const int TotalBits = 15;

    /// <summary>The geometric model's ratio per sixteenth-octave of residual, 2^(−RatioSteps/16).</summary>
    private const int RatioSteps = 14;

    /// <summary>The escape's frequency (about 10 bits, on top of the index's 7).</summary>
    private const uint EscapeFrequency = 32;

    private static readonly uint[] Cumulative = BuildCumulative();

    private readonly int[] _changes = new int[Window];
    private int _count;
    private int _next;

    /// <summary>Δ of the last message with a step (0 before any).</summary>
    public double LastStep { get; private set; }

    /// <summary>
    /// Whether a message can name its step by a residual: a step and at least one change are known, and every step the
    /// residuals name is a normal, finite number (at the ends of the doubles the index takes over).
    /// </summary>
    public bool CanPredict => LastStep > 0 && _count > 0 && double.IsNormal(PredictedStep(0)) && double.IsFinite(PredictedStep(2 * Reach));

    /// <summary>The predicted change, round(mean of the last changes), in sixteenth-octaves.</summary>
    public int PredictedChange
    {
        get
        {
            var sum = 0;
            for (var i = 0; i < _count; i++)
            {
                sum += _changes[i];
            }

            return (int)Math.Floor(((2.0 * sum) + _count) / (2.0 * _count));
        }
    }

    /// <summary>Δ for residual symbol s (0…2·Reach): Δ_{m−1}·2^((prediction + s − Reach)/16).</summary>
    public double PredictedStep(int symbol) => OctaveScale.Scale(LastStep, PredictedChange + symbol - Reach, OctaveScale.MaxStepsPerOctave);

    /// <summary>The cumulative frequency of symbol s (0…<see cref="Escape"/>).</summary>
    public static uint SymbolCumulative(int symbol) => Cumulative[symbol];

    /// <summary>The frequency of symbol s.</summary>
    public static uint SymbolFrequency(int symbol) => Cumulative[symbol + 1] - Cumulative[symbol];

    /// <summary>The symbol whose interval holds <paramref name="target"/>.</summary>
    public static int FindSymbol(uint target)
    {
        var symbol = 0;
        while (symbol < Escape && Cumulative[symbol + 1] <= target)
        {
            symbol++;
        }

        return symbol;
    }

    /// <summary>Records a message whose step was named by residual symbol s.</summary>
    public void RecordPredicted(int symbol) => Record(PredictedStep(symbol), PredictedChange + symbol - Reach);

    /// <summary>
    /// Records a message whose step Δ was sent as an index: its change is ⌊16·log2(Δ/Δ_{m−1})⌋ (none when there was no
    /// step before, or the ratio leaves the normal doubles).
    /// </summary>
    public void RecordIndexed(double step) => Record(step, LastStep > 0 && double.IsNormal(step / LastStep) ? OctaveScale.FloorSteps(step / LastStep) : null);

    public void Save(SnapshotWriter writer)
    {
        writer.Write(LastStep);
        writer.Write(_count);
        writer.Write(_next);
        foreach (var change in _changes)
        {
            writer.Write(change);
        }
    }

    public void Load(SnapshotReader reader)
    {
        LastStep = reader.ReadDouble();
        _count = reader.ReadInt32();
        _next = reader.ReadInt32();
        for (var i = 0; i < _changes.Length; i++)
        {
            _changes[i] = reader.ReadInt32();
        }

        if (!(LastStep >= 0) || !double.IsFinite(LastStep) || _count is < 0 or > Window || _next is < 0 or >= Window)
        {
            Guard.Throw($"the snapshot's step history is invalid (last step {LastStep}, {_count} changes, next {_next}).");
        }
    }

    private void Record(double step, int? change)
    {
        if (change is { } c)
        {
            _changes[_next] = c;
            _next = (_next + 1) % Window;
            _count = Math.Min(Window, _count + 1);
        }

        LastStep = step;
    }

    /// <summary>f(d) = max(1, ⌊F·2^(−14|d|/16)⌋) for the residuals, F the largest that leaves room for the escape; the
    /// rounding's remainder goes to d = 0 so the total is exactly 2^15.</summary>
    private static uint[] BuildCumulative()
    {
        const uint total = 1u << TotalBits;
        uint Sum(double peak)
        {
            var sum = EscapeFrequency;
            for (var d = -Reach; d <= Reach; d++)
            {
                sum += Frequency(peak, d);
            }

            return sum;
        }

        static uint Frequency(double peak, int d) => Math.Max(1, (uint)Math.Floor(OctaveScale.Scale(peak, -RatioSteps * Math.Abs(d), OctaveScale.MaxStepsPerOctave)));

        var (low, high) = (1.0, (double)total);
        for (var i = 0; i < 60; i++)
        {
            var middle = (low + high) / 2;
            (low, high) = Sum(middle) <= total ? (middle, high) : (low, middle);
        }

        var cumulative = new uint[Escape + 2];
        for (var s = 0; s < Escape; s++)
        {
            cumulative[s + 1] = cumulative[s] + Frequency(low, s - Reach) + (s == Reach ? total - Sum(low) : 0);
        }

        cumulative[Escape + 1] = cumulative[Escape] + EscapeFrequency;
        return cumulative;
    }
}
