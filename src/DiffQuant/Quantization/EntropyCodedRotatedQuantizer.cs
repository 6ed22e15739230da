using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// The rotated code with entropy-coded steps, at the same fixed budget of floor(n·R) bits a message.
/// v = Θ_m u (the link's m-th <see cref="HadamardRotation"/>), indices k_i chosen for v_i/Δ, and the k_i range-coded
/// (<see cref="RangeEncoder"/>) under Gaussian models (<see cref="GaussianMagnitudeModel"/>) whose step ratio
/// t = Δ/σ is the finest whose expected cost fits the budget, fixed per instance: sending Δ then also tells the
/// decoder σ = Δ/t, so no gain is sent. With <see cref="ScalarTrellis.Single"/> (<c>rotated-ec</c>) k_i = round(v_i/Δ)
/// decoded to its cell's centroid; with <see cref="ScalarTrellis.SixtyFourState"/> (<c>rotated-tcq</c>, entropy-coded
/// trellis-coded quantization) a Viterbi search picks the path of indices minimizing Σ(v_i/Δ − level_i)² +
/// <see cref="Lagrangian"/>·bits_i, each index coded under its state's codebook model. Alone, a message opens with j in
/// <see cref="StepBits"/> bits, Δ = r·t·2^((j − 112)/16) (σ from 2^−7·r to 2^(14/16)·r in sixteenth-octaves). On a link
/// whose <see cref="StepHistory"/> knows a step and a change, the range code opens instead with the residual of Δ's change
/// from the predicted one (a few bits where the input contracts steadily), or an escape and j. The encoder takes the
/// finest Δ whose code fits, and pads with zeros to the budget; j = 127 sends the zero vector when none fits. |k| saturates at the model's largest magnitude
/// (overloads, counted). q = Θ_mᵀ(k·Δ). A uniform quantizer with an ideal entropy coder is within ¼ bit a coordinate
/// of the Gaussian rate–distortion bound at high rates and closer at low ones, against the clipped fixed-rate
/// code's larger gap; the fixed budget costs the coder's end (a few bits) and the step grid's slack.
/// </summary>
public sealed class EntropyCodedRotatedQuantizer : RotatedCode
{
    /// <summary>Bits of the step index j.</summary>
    public const int StepBits = 7;

    /// <summary>j = 112 is σ = r.</summary>
    public const int StepOffset = 112;

    /// <summary>The index that sends the zero vector.</summary>
    public const int ZeroMessage = (1 << StepBits) - 1;

    /// <summary>
    /// λ of the trellis search, in squared steps per bit: what a bit is worth against distortion (chosen among 0, 0.05,
    /// 0.1 and 0.2 in a development sweep at 1.5–2.5 bits a coordinate). Below about 1 bit a coordinate the
    /// static models price a nonzero index at several bits and the search sends mostly zeros (λ = 0 there is worse
    /// still): the trellis code is for rates from about 1.25 bits, the uniform one below (`dq quantizers` shows both).
    /// </summary>
    public const double Lagrangian = 0.2;

    /// <summary>Bits kept back from the model's expected cost for the coder's end and the sample's spread.</summary>
    private const int CoderAllowanceBits = 2;

    /// <summary>
    /// The λ (squared steps a bit) the encoder tries at the four steps finer than the finest that fits at the code's own
    /// λ (0 uniform, <see cref="Lagrangian"/> trellis): a larger λ trades distortion for bits, so a finer step may fit
    /// and the budget's slack is spent; the encoder keeps whichever fitting code has the least squared error. The
    /// decoder needs only the step and the indices, so this costs no bits.
    /// </summary>
    private static readonly double[] FittingLagrangians = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.375, 0.45, 0.55, 0.7, 0.85, 1.0, 1.25, 1.5, 2];

    /// <summary>How many steps finer than the finest that fits at the code's own λ the encoder tries.</summary>
    private const int SlackSteps = 4;

    /// <summary>Indices each state of the trellis search tries: the nearest level of its codebook and two on each side.</summary>
    private const int Candidates = 1;

    private readonly ScalarTrellis _trellis;
    private readonly GaussianMagnitudeModel[] _models;
    private readonly long[] _indices;

    /// <summary>The <see cref="FittingLagrangians"/> above the code's own λ.</summary>
    private readonly double[] _slackLagrangians;
    /// <summary>The Viterbi search's choices, one bit a state for each coordinate.</summary>
    private readonly ulong[] _back;
    private readonly RangeEncoder _encoder = new();
    private readonly double[] _rotated;
    private readonly double[] _cells;
    private readonly byte[] _received;

    /// <summary>Bits after the step index: floor(n·R) − 7.</summary>
    private readonly long _codeBits;

    public EntropyCodedRotatedQuantizer(int dimension, double rate, ulong seed, ScalarTrellis? trellis = null)
        : base(dimension, rate, seed, WholeVector)
    {
        _trellis = trellis ?? ScalarTrellis.Single;
        if (dimension > 0 && BudgetBits <= StepBits)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the {Name} code needs more than its {StepBits}-bit step (a rate of at least {(StepBits + 1.0) / dimension:G4}).");
        }

        _codeBits = Math.Max(0, BudgetBits - StepBits);
        _models = GaussianMagnitudeModel.ForRate(dimension == 0 ? 0 : (_codeBits - CoderAllowanceBits) / (double)dimension, [.. _trellis.Codebooks]);
        _rotated = new double[dimension];
        _cells = new double[dimension];
        _indices = new long[dimension];
        _slackLagrangians = [.. FittingLagrangians.Where(l => l > OwnLagrangian)];
        if (_trellis.States > 64)
        {
            Guard.Throw($"the trellis search keeps one bit a state in a 64-bit word: at most 64 states, got {_trellis.States}.");
        }

        _back = new ulong[_trellis.States > 1 ? dimension : 0];
        _received = new byte[(int)((BudgetBits + 7) / 8)];
    }

    public override string Name => _trellis == ScalarTrellis.Single ? "rotated-ec" : "rotated-tcq";

    /// <summary>The λ of the code's own search: 0 (plain rounding) for the uniform code, <see cref="Lagrangian"/> for the trellis.</summary>
    private double OwnLagrangian => _trellis.States == 1 ? 0 : Lagrangian;

    /// <summary>The model's step ratio t = Δ/σ = 2^(e/16): e.</summary>
    public int StepExponent => _models[0].StepExponent;

    public override int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        var rms = CheckedRms(u, context, q);
        if (Dimension == 0)
        {
            return 0;
        }

        var v = _rotated.AsSpan();
        Rotation.Forward(u, v, context.Step);
        var history = context.History is { CanPredict: true } h ? h : null;
        var header = history is null ? Header.Indexed : Header.Predicted;
        var found = rms > 0 ? FinestFit(v, context, header, rms) : null;
        if (found is null && history is not null && rms > 0)
        {
            // Larger than the window of residuals reaches: name the step by its index.
            header = Header.Escaped;
            found = FinestFit(v, context, header, rms);
        }

        var overloads = 0;
        if (found is { } f)
        {
            overloads = f.Overloads;
            var size = StepSize(context, header, f.Index);
            if (header == Header.Indexed)
            {
                writer.Write((ulong)f.Index, StepBits);
            }

            _encoder.CopyTo(writer, f.Length);
            WriteZeros(writer, CodeBits(header) - f.Length);
            TensorPrimitives.Multiply(_cells, size, q);
            Rotation.Inverse(q, context.Step);
            Record(context.History, header, f.Index, size);
        }
        else
        {
            // The zero vector: nothing fits, or u = 0.
            overloads = Dimension - CountZeros(v);
            q.Clear();
            if (history is null)
            {
                writer.Write((ulong)ZeroMessage, StepBits);
                WriteZeros(writer, _codeBits);
            }
            else
            {
                _encoder.Reset();
                EncodeHeader(Header.Escaped, ZeroMessage);
                var length = _encoder.Finish();
                _encoder.CopyTo(writer, length);
                WriteZeros(writer, BudgetBits - length);
            }
        }

        return overloads;
    }

    public override void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        CheckOutput(context, q);
        if (Dimension == 0)
        {
            return;
        }

        var history = context.History is { CanPredict: true } h ? h : null;
        var header = history is null ? Header.Indexed : Header.Predicted;
        var index = header == Header.Indexed ? (int)reader.Read(StepBits) : 0;
        var bits = CodeBits(header);
        var received = _received.AsSpan(0, (int)((bits + 7) / 8));
        var whole = (int)(bits / 8);
        for (var i = 0; i < whole; i++)
        {
            received[i] = (byte)reader.Read(8);
        }

        var rest = (int)(bits % 8);
        if (rest > 0)
        {
            received[whole] = (byte)(reader.Read(rest) << (8 - rest));
        }

        var decoder = new RangeDecoder(received);
        if (history is not null)
        {
            index = StepHistory.FindSymbol(decoder.GetTarget(StepHistory.TotalBits));
            decoder.Consume(StepHistory.SymbolCumulative(index), StepHistory.SymbolFrequency(index));
            if (index == StepHistory.Escape)
            {
                (header, index) = (Header.Escaped, (int)decoder.DecodeBits(StepBits));
            }
        }

        if (header != Header.Predicted && index == ZeroMessage)
        {
            q.Clear();
            return;
        }

        var state = 0;
        for (var i = 0; i < q.Length; i++)
        {
            var model = _models[_trellis.Codebook(state)];
            var level = model.Find(decoder.GetTarget(GaussianMagnitudeModel.TotalBits));
            decoder.Consume(model.Cumulative(level), model.Frequency(level));
            var magnitude = ((long)level << model.LowBits) | decoder.DecodeBits(model.LowBits);
            var negative = magnitude != 0 && decoder.DecodeBits(1) != 0;
            var value = model.Reconstruction(magnitude);
            q[i] = negative ? -value : value;
            state = _trellis.Next(state, negative ? -magnitude : magnitude);
        }

        var size = StepSize(context, header, index);
        TensorPrimitives.Multiply(q, size, q);
        Rotation.Inverse(q, context.Step);
        Record(context.History, header, index, size);
    }

    /// <summary>How a message names its step.</summary>
    private enum Header
    {
        /// <summary>No history: the 7-bit index j in front of the range code of floor(n·R) − 7 bits.</summary>
        Indexed,

        /// <summary>The residual symbol from the link's <see cref="StepHistory"/>, first in a range code of floor(n·R) bits.</summary>
        Predicted,

        /// <summary>The escape symbol and then j in 7 bits, first in a range code of floor(n·R) bits.</summary>
        Escaped,
    }

    /// <summary>The bits of the range code (and its zero padding) after any raw index.</summary>
    private long CodeBits(Header header) => header == Header.Indexed ? _codeBits : BudgetBits;

    /// <summary>
    /// The finest step of the header's ladder whose code fits — indices j (0…126, Δ_j = r·t·2^((j − 112)/16)) or
    /// residual symbols (0…30 around the history's prediction); finer is a smaller index either way — with the budget's
    /// slack spent; null when none fits. Leaves the chosen code in the encoder and its cells in the cells.
    /// </summary>
    private (int Index, long Length, int Overloads)? FinestFit(ReadOnlySpan<double> v, in QuantizerContext context, Header header, double rms)
    {
        // The code's length grows as the step shrinks: from the estimate, gallop finer while it fits or coarser until
        // it does, then bisect between the last step that failed and the one that fit.
        var last = header == Header.Predicted ? 2 * StepHistory.Reach : ZeroMessage - 1;
        var start = header == Header.Predicted
            ? StepHistory.Reach
            : (int)Math.Clamp(Math.Round(16 * Math.Log2(rms / context.Range)) + StepOffset, 0, last);
        var own = OwnLagrangian;
        var current = (start, own);
        var code = TryCode(v, context, header, start, own);
        var (fits, failed) = code.Length >= 0 ? (start, -1) : (-1, start);
        for (var stride = 1; fits >= 0 ? fits > 0 && failed < 0 : fits < 0 && failed < last; stride *= 2)
        {
            current = (fits >= 0 ? Math.Max(0, fits - stride) : Math.Min(last, failed + stride), own);
            code = TryCode(v, context, header, current.Item1, own);
            (fits, failed) = code.Length >= 0 ? (current.Item1, failed) : (fits, current.Item1);
        }

        while (fits >= 0 && failed >= 0 && fits - failed > 1)
        {
            current = ((fits + failed) / 2, own);
            code = TryCode(v, context, header, current.Item1, own);
            (fits, failed) = code.Length >= 0 ? (current.Item1, failed) : (fits, current.Item1);
        }

        if (fits < 0)
        {
            return null;
        }

        if (current != (fits, own))
        {
            code = TryCode(v, context, header, fits, own);
            current = (fits, own);
        }

        // Spend the slack: at each finer step the least λ whose code fits (a bisection: a larger λ never lengthens the
        // code), keeping the fitting code with the least squared error; a step that does not fit at the largest λ ends
        // the search.
        var best = (Index: fits, Lambda: own, Code: code);
        var lambdas = _slackLagrangians;
        for (var finer = fits - 1; finer >= Math.Max(0, fits - SlackSteps) && lambdas.Length > 0; finer--)
        {
            var trial = TryCode(v, context, header, finer, lambdas[^1]);
            current = (finer, lambdas[^1]);
            if (trial.Length < 0)
            {
                break;
            }

            var (low, high, fitting) = (-1, lambdas.Length - 1, trial);
            while (high - low > 1)
            {
                var middle = (low + high) / 2;
                var attempt = TryCode(v, context, header, finer, lambdas[middle]);
                current = (finer, lambdas[middle]);
                (low, high, fitting) = attempt.Length >= 0 ? (low, middle, attempt) : (middle, high, fitting);
            }

            best = fitting.Distortion < best.Code.Distortion ? (finer, lambdas[high], fitting) : best;
        }

        code = current == (best.Index, best.Lambda) ? best.Code : TryCode(v, context, header, best.Index, best.Lambda);
        return (best.Index, code.Length, code.Overloads);
    }

    /// <summary>Δ_j = r·t·2^((j − 112)/16) for an index, computed the same way at both ends; the history's step for a residual symbol.</summary>
    private double StepSize(in QuantizerContext context, Header header, int index) => header == Header.Predicted
        ? context.History!.PredictedStep(index)
        : OctaveScale.Scale(context.Range, _models[0].StepExponent + index - StepOffset, OctaveScale.MaxStepsPerOctave);

    /// <summary>Advances the link's history (both ends alike) after a message with a step.</summary>
    private static void Record(StepHistory? history, Header header, int index, double step)
    {
        if (header == Header.Predicted)
        {
            history!.RecordPredicted(index);
        }
        else
        {
            history?.RecordIndexed(step);
        }
    }

    /// <summary>Starts a range code with the step's name (nothing for <see cref="Header.Indexed"/>: its index goes in front, raw).</summary>
    private void EncodeHeader(Header header, int index)
    {
        var symbol = header == Header.Escaped ? StepHistory.Escape : index;
        if (header != Header.Indexed)
        {
            _encoder.Encode(StepHistory.SymbolCumulative(symbol), StepHistory.SymbolFrequency(symbol), StepHistory.TotalBits);
        }

        if (header == Header.Escaped)
        {
            _encoder.EncodeBits((uint)index, StepBits);
        }
    }

    /// <summary>
    /// Chooses the indices for v/Δ at Lagrangian λ, codes them into the encoder and their values into the cells;
    /// Length −1 when the code exceeds the budget; Distortion Σ(v_i − Δ·cell_i)².
    /// </summary>
    private (long Length, int Overloads, double Distortion) TryCode(ReadOnlySpan<double> v, in QuantizerContext context, Header header, int index, double lambda)
    {
        var step = StepSize(context, header, index);
        var overloads = _trellis.States == 1 ? Round(v, 1 / step, lambda) : Search(v, 1 / step, lambda);
        var bits = CodeBits(header);
        var limit = (bits / 8) + 6; // bytes emitted (with the leading 0 and the end's four) past which it cannot fit
        _encoder.Reset();
        EncodeHeader(header, index);
        var (state, distortion) = (0, 0.0);
        for (var i = 0; i < v.Length; i++)
        {
            var model = _models[_trellis.Codebook(state)];
            var k = _indices[i];
            var magnitude = Math.Abs(k);
            var level = (int)(magnitude >> model.LowBits);
            _encoder.Encode(model.Cumulative(level), model.Frequency(level), GaussianMagnitudeModel.TotalBits);
            _encoder.EncodeBits((uint)magnitude, model.LowBits);
            if (magnitude != 0)
            {
                _encoder.EncodeBits(k < 0 ? 1u : 0u, 1);
            }

            var value = model.Reconstruction(magnitude);
            _cells[i] = k < 0 ? -value : value;
            distortion += (v[i] - (step * _cells[i])) * (v[i] - (step * _cells[i]));
            state = _trellis.Next(state, k);
            if (_encoder.EmittedBytes > limit)
            {
                return (-1, overloads, distortion);
            }
        }

        var length = _encoder.Finish();
        return (length <= bits ? length : -1, overloads, distortion);
    }

    /// <summary>
    /// k_i = round(v_i/Δ), |k_i| saturated at the model's largest magnitude; with λ &gt; 0, |k_i| − 1 instead where
    /// (|y| − value)² + λ·bits is smaller. Returns the saturated count.
    /// </summary>
    private int Round(ReadOnlySpan<double> v, double inverse, double lambda)
    {
        var model = _models[0];
        var largest = (double)model.MaxMagnitude;
        var overloads = 0;
        for (var i = 0; i < v.Length; i++)
        {
            var position = Math.Round(v[i] * inverse);
            var magnitude = Math.Abs(position);
            if (magnitude > largest)
            {
                magnitude = largest;
                overloads++;
            }

            var chosen = (long)magnitude;
            if (lambda > 0 && chosen > 0)
            {
                var y = Math.Abs(v[i] * inverse);
                var (at, below) = (y - model.Reconstruction(chosen), y - model.Reconstruction(chosen - 1));
                chosen -= (below * below) + (lambda * model.CostBits(chosen - 1)) < (at * at) + (lambda * model.CostBits(chosen)) ? 1 : 0;
            }

            _indices[i] = position < 0 ? -chosen : chosen;
        }

        return overloads;
    }

    /// <summary>
    /// The Viterbi search of the trellis from state 0. For each coordinate, y = v_i/Δ: each codebook's indices near y,
    /// cost (y − level)² + λ·bits, the cheapest of each parity (the branch it takes); then each state keeps the cheaper of
    /// its two incoming branches, one bit a state (so at most 64 states). The cheapest end is traced back, the indices
    /// found again from y. Returns the coordinates whose chosen magnitude saturated.
    /// </summary>
    private int Search(ReadOnlySpan<double> v, double inverse, double lambda)
    {
        var states = _trellis.States;
        Span<double> cost = stackalloc double[states];
        Span<double> next = stackalloc double[states];
        Span<double> branch = stackalloc double[2 * _models.Length]; // [2c + parity]
        var incoming = _trellis.Incoming;
        cost.Fill(double.PositiveInfinity);
        cost[0] = 0;
        for (var i = 0; i < v.Length; i++)
        {
            Branches(v[i] * inverse, lambda, branch, null);
            var back = 0UL;
            for (var t = 0; t < states; t++)
            {
                var edges = incoming.Slice(4 * t, 4);
                var viaA = cost[edges[0]] + branch[edges[1]];
                var viaB = cost[edges[2]] + branch[edges[3]];
                next[t] = viaB < viaA ? viaB : viaA;
                back |= viaB < viaA ? 1UL << t : 0;
            }

            _back[i] = back;
            var previous = cost;
            cost = next;
            next = previous;
        }

        var state = 0;
        for (var s = 1; s < states; s++)
        {
            state = cost[s] < cost[state] ? s : state;
        }

        Span<long> chosen = stackalloc long[2 * _models.Length];
        var overloads = 0;
        for (var i = v.Length - 1; i >= 0; i--)
        {
            var (from, parity) = _trellis.Into(state, (int)((_back[i] >> state) & 1));
            var codebook = _trellis.Codebook(from);
            Branches(v[i] * inverse, lambda, branch, chosen);
            var k = chosen[(2 * codebook) + parity];
            _indices[i] = k;
            var model = _models[codebook];
            overloads += Math.Abs(k) == model.MaxMagnitude && Math.Abs(v[i] * inverse) > model.Reconstruction(model.MaxMagnitude) + 1 ? 1 : 0;
            state = from;
        }

        return overloads;
    }

    /// <summary>
    /// For y and each codebook c, the cheapest of the indices near y of each parity p: its cost (y − level)² + λ·bits at
    /// [2c + p], and the index itself in <paramref name="chosen"/> when given. The nearest index is kept within the
    /// model's largest magnitude, so a y beyond it saturates there.
    /// </summary>
    private void Branches(double y, double lambda, Span<double> cost, Span<long> chosen)
    {
        for (var c = 0; c < _models.Length; c++)
        {
            var model = _models[c];
            var odd = model.Cells == MagnitudeCells.TrellisOdd;
            var nearest = Math.Clamp((long)Math.Round(odd ? (y + Math.Sign(y)) / 2 : y / 2), -model.MaxMagnitude, model.MaxMagnitude);
            cost[2 * c] = cost[(2 * c) + 1] = double.PositiveInfinity;
            for (var k = nearest - Candidates; k <= nearest + Candidates; k++)
            {
                var magnitude = Math.Abs(k);
                if (magnitude > model.MaxMagnitude)
                {
                    continue;
                }

                var level = model.Reconstruction(magnitude) * Math.Sign(k);
                var total = ((y - level) * (y - level)) + (lambda * model.CostBits(magnitude));
                var slot = (2 * c) + (int)(k & 1);
                if (total < cost[slot])
                {
                    cost[slot] = total;
                    if (!chosen.IsEmpty)
                    {
                        chosen[slot] = k;
                    }
                }
            }
        }
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
}
