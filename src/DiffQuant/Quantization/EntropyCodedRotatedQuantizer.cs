using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// The rotated code with entropy-coded uniform steps, at the same fixed budget of floor(n·R) bits a message.
/// v = Θ_m u (the link's m-th <see cref="HadamardRotation"/>), k_i = round(v_i/Δ), and the k_i are range-coded
/// (<see cref="RangeEncoder"/>) under one Gaussian model (<see cref="GaussianMagnitudeModel"/>) whose step ratio
/// t = Δ/σ is the finest whose expected cost fits the budget, fixed per instance: sending Δ then also tells the
/// decoder σ = Δ/t, so no gain is sent. The payload opens with j in <see cref="StepBits"/> bits, Δ = r·t·2^((j − 112)/16)
/// (σ from 2^−7·r to 2^(14/16)·r in sixteenth-octaves); the encoder takes the finest Δ whose code fits, and pads with
/// zeros to the budget; j = 127 sends the zero vector when none fits. |k| saturates at the model's largest magnitude
/// (overloads, counted). q = Θ_mᵀ(k·Δ). A uniform quantizer with an ideal entropy coder is within ¼ bit a coordinate
/// of the Gaussian rate–distortion bound at high rates and closer at low ones, against the clipped fixed-rate
/// code's larger gap; the fixed budget costs the coder's end (a few bits) and the step grid's slack.
/// </summary>
public sealed class EntropyCodedRotatedQuantizer : IQuantizer
{
    /// <summary>Bits of the step index j.</summary>
    public const int StepBits = 7;

    /// <summary>j = 112 is σ = r.</summary>
    public const int StepOffset = 112;

    /// <summary>The index that sends the zero vector.</summary>
    public const int ZeroMessage = (1 << StepBits) - 1;

    /// <summary>Bits kept back from the model's expected cost for the coder's end and the sample's spread.</summary>
    private const int CoderAllowanceBits = 2;

    private readonly HadamardRotation _rotation;
    private readonly GaussianMagnitudeModel _model;
    private readonly RangeEncoder _encoder = new();
    private readonly double[] _rotated;
    private readonly double[] _cells;
    private readonly byte[] _received;

    /// <summary>Bits after the step index: floor(n·R) − 7.</summary>
    private readonly long _codeBits;

    public EntropyCodedRotatedQuantizer(int dimension, double rate, ulong seed)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        BitAllocation.ValidateRate(rate);
        Dimension = dimension;
        Rate = rate;
        BudgetBits = BitAllocation.Budget(dimension, rate);
        if (dimension > 0 && BudgetBits <= StepBits)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the entropy-coded rotated code needs more than its {StepBits}-bit step (a rate of at least {(StepBits + 1.0) / dimension:G4}).");
        }

        _codeBits = Math.Max(0, BudgetBits - StepBits);
        _model = GaussianMagnitudeModel.ForRate(dimension == 0 ? 0 : (_codeBits - CoderAllowanceBits) / (double)dimension);
        _rotation = new HadamardRotation(dimension, seed);
        _rotated = new double[dimension];
        _cells = new double[dimension];
        _received = new byte[(int)((_codeBits + 7) / 8)];
    }

    public string Name => "rotated-ec";

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits { get; }

    public bool UsesRange => true;

    public double CoveringEfficiency => double.NaN;

    /// <summary>NaN: the code saturates, so no bound holds for every input of a range.</summary>
    public double CoveringRadius(double range) => double.NaN;

    /// <summary>NaN, as <see cref="CoveringRadius"/>.</summary>
    public double CoordinateErrorBound(double range) => double.NaN;

    /// <summary>The model's step ratio t = Δ/σ = 2^(e/16): e.</summary>
    public int StepExponent => _model.StepExponent;

    public int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        CheckContext(context);
        var energy = TensorPrimitives.SumOfSquares(u);
        if (!double.IsFinite(energy))
        {
            Guard.Throw($"the entropy-coded rotated quantizer's input has a NaN, infinite or overflowing norm (‖u‖² = {energy}).");
        }

        if (Dimension == 0)
        {
            return 0;
        }

        var v = _rotated.AsSpan();
        u.CopyTo(v);
        _rotation.Forward(v, context.Step);
        var rms = Math.Sqrt(energy / Dimension);
        var (step, overloads, length) = (ZeroMessage, 0, 0L);
        if (rms > 0)
        {
            // The finest step that fits: from the estimate, finer while it fits, or coarser until it does.
            var start = (int)Math.Clamp(Math.Round(16 * Math.Log2(rms / context.Range)) + StepOffset, 0, ZeroMessage - 1);
            var (accepted, current) = (-1, start);
            var code = TryCode(v, StepSize(context.Range, start));
            if (code.Length >= 0)
            {
                accepted = start;
                for (var j = start - 1; j >= 0; j--)
                {
                    var finer = TryCode(v, StepSize(context.Range, current = j));
                    if (finer.Length < 0)
                    {
                        break;
                    }

                    (accepted, code) = (j, finer);
                }
            }
            else
            {
                for (var j = start + 1; j < ZeroMessage && accepted < 0; j++)
                {
                    code = TryCode(v, StepSize(context.Range, current = j));
                    accepted = code.Length >= 0 ? j : -1;
                }
            }

            if (accepted >= 0)
            {
                if (current != accepted)
                {
                    code = TryCode(v, StepSize(context.Range, accepted));
                }

                (step, overloads, length) = (accepted, code.Overloads, code.Length);
            }
        }

        writer.Write((ulong)step, StepBits);
        if (step == ZeroMessage)
        {
            overloads = Dimension - CountZeros(v);
            q.Clear();
        }
        else
        {
            _encoder.CopyTo(writer, length);
            TensorPrimitives.Multiply(_cells, StepSize(context.Range, step), q);
            _rotation.Inverse(q, context.Step);
        }

        WriteZeros(writer, _codeBits - (step == ZeroMessage ? 0 : length));
        return overloads;
    }

    public void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        CheckContext(context);
        if (Dimension == 0)
        {
            return;
        }

        var step = (int)reader.Read(StepBits);
        var received = _received.AsSpan();
        var whole = (int)(_codeBits / 8);
        for (var i = 0; i < whole; i++)
        {
            received[i] = (byte)reader.Read(8);
        }

        var rest = (int)(_codeBits % 8);
        if (rest > 0)
        {
            received[whole] = (byte)(reader.Read(rest) << (8 - rest));
        }

        if (step == ZeroMessage)
        {
            q.Clear();
            return;
        }

        var decoder = new RangeDecoder(received);
        var lowBits = _model.LowBits;
        for (var i = 0; i < q.Length; i++)
        {
            var level = _model.Find(decoder.GetTarget(GaussianMagnitudeModel.TotalBits));
            decoder.Consume(_model.Cumulative(level), _model.Frequency(level));
            var magnitude = ((long)level << lowBits) | decoder.DecodeBits(lowBits);
            var value = _model.Reconstruction(magnitude);
            q[i] = magnitude != 0 && decoder.DecodeBits(1) != 0 ? -value : value;
        }

        TensorPrimitives.Multiply(q, StepSize(context.Range, step), q);
        _rotation.Inverse(q, context.Step);
    }

    /// <summary>Δ_j = r·t·2^((j − 112)/16), computed the same way at both ends.</summary>
    private double StepSize(double range, int j) => OctaveScale.Scale(range, _model.StepExponent + j - StepOffset, OctaveScale.MaxStepsPerOctave);

    /// <summary>Codes k = round(v/Δ) into the encoder and the cells; Length −1 when the code exceeds the budget.</summary>
    private (long Length, int Overloads) TryCode(ReadOnlySpan<double> v, double step)
    {
        var inverse = 1 / step;
        var (lowBits, largest) = (_model.LowBits, (double)_model.MaxMagnitude);
        var limit = (_codeBits / 8) + 6; // bytes emitted (with the leading 0 and the end's four) past which it cannot fit
        var overloads = 0;
        _encoder.Reset();
        for (var i = 0; i < v.Length; i++)
        {
            var position = Math.Round(v[i] * inverse);
            var magnitude = Math.Abs(position);
            if (magnitude > largest)
            {
                magnitude = largest;
                overloads++;
            }

            var cell = (long)magnitude;
            var level = (int)(cell >> lowBits);
            _encoder.Encode(_model.Cumulative(level), _model.Frequency(level), GaussianMagnitudeModel.TotalBits);
            _encoder.EncodeBits((uint)cell, lowBits);
            if (cell != 0)
            {
                _encoder.EncodeBits(position < 0 ? 1u : 0u, 1);
            }

            var value = _model.Reconstruction(cell);
            _cells[i] = position < 0 ? -value : value;
            if (_encoder.EmittedBytes > limit)
            {
                return (-1, overloads);
            }
        }

        var length = _encoder.Finish();
        return (length <= _codeBits ? length : -1, overloads);
    }

    private static int CountZeros(ReadOnlySpan<double> v)
    {
        var zeros = 0;
        foreach (var x in v)
        {
            zeros += x == 0 ? 1 : 0;
        }

        return zeros;
    }

    private static void WriteZeros(BitWriter writer, long bits)
    {
        for (; bits > 0; bits -= 64)
        {
            writer.Write(0, (int)Math.Min(bits, 64));
        }
    }

    private void CheckContext(in QuantizerContext context)
    {
        if (!(context.Range > 0) || !double.IsFinite(context.Range))
        {
            Guard.Throw($"the quantizer range must be a positive finite number, got {context.Range}.");
        }

        if (context.BudgetBits < BudgetBits)
        {
            Guard.Throw($"a {Name} code of {BudgetBits} bits does not fit this message's budget of {context.BudgetBits} bits.");
        }
    }
}
