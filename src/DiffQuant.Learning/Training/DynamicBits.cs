namespace DiffQuant.Learning.Training;

/// <summary>
/// DQ-SGD's choice of B_n, the bits per coordinate of step n of N (Yan et al.): for a strongly convex loss
/// B_n = log2(k·α^((N−n)/2)·‖g_n‖ + 1) + 1 with α = 1 − 2μη + Lμη², so early steps (whose error the contraction
/// forgets) get fewer bits; for a non-convex loss B_n = log2(k·‖g_n‖ + 1) + 1. B_n is rounded to the nearest integer
/// and clipped to [<see cref="MinBits"/>, <see cref="MaxBits"/>]; QSGD then uses s = 2^(B_n−1) − 1 levels. The worker sends
/// B_n − 1 in 4 bits ahead of the code, since the server cannot know ‖g_n‖.
/// Calibration: each worker spends its share C/W of the whole run's uplink budget C. At the start of every epoch it
/// solves (by bisection on log k) for the k whose predicted bits over the remaining steps, with ‖g‖ at its running
/// mean, equal the remaining share; so the run lands near C whatever the gradients' decay.
/// </summary>
public sealed class DynamicBits
{
    public const int MinBits = 2;
    public const int MaxBits = 16;

    /// <summary>Bits of the B_n field in each message.</summary>
    public const int FieldBits = 4;

    private readonly double _alpha;
    private readonly long _steps;
    private readonly int _dimension;
    private readonly long _messageOverhead;
    private double _k = 1;
    private double _meanNorm;
    private long _normCount;

    /// <param name="alpha">α for the strongly convex rule, or null for the non-convex rule.</param>
    /// <param name="steps">N, the steps of the run.</param>
    /// <param name="messageOverhead">Bits each message carries besides d·B_n (the norm and the B_n field).</param>
    public DynamicBits(double? alpha, long steps, int dimension, long messageOverhead)
    {
        if (alpha is { } a && !(a > 0 && a <= 1))
        {
            Guard.Throw($"DQ-SGD's α = 1 − 2μη + Lμη² must lie in (0, 1], got {a}; lower the learning rate.");
        }

        _alpha = alpha ?? 1;
        _steps = steps;
        _dimension = dimension;
        _messageOverhead = messageOverhead;
    }

    public double K => _k;

    /// <summary>k, the running mean of ‖g‖ and its count: everything a snapshot needs.</summary>
    public (double K, double MeanNorm, long Count) State
    {
        get => (_k, _meanNorm, _normCount);
        set => (_k, _meanNorm, _normCount) = value;
    }

    /// <summary>Re-solves k so the predicted bits of steps <paramref name="from"/>..N−1 equal <paramref name="remainingBits"/>.</summary>
    public void Calibrate(long from, double remainingBits)
    {
        var norm = _meanNorm > 0 ? _meanNorm : 1;
        double Predicted(double k)
        {
            double total = 0;
            for (var n = from; n < _steps; n++)
            {
                total += (_dimension * (double)Bits(k, n, norm)) + _messageOverhead;
            }

            return total;
        }

        var (low, high) = (-60.0, 60.0);
        for (var iteration = 0; iteration < 80; iteration++)
        {
            var middle = (low + high) / 2;
            if (Predicted(Math.Exp(middle)) > remainingBits)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        _k = Math.Exp(low);
    }

    /// <summary>
    /// B_n for a gradient of norm <paramref name="norm"/> at step <paramref name="step"/>, capped so the worker's
    /// <paramref name="remainingBits"/> still pay for every later step at <see cref="MinBits"/>: the share is never
    /// overspent. Records the norm.
    /// </summary>
    public int Next(long step, double norm, double remainingBits)
    {
        _meanNorm += (norm - _meanNorm) / ++_normCount;
        var later = (_steps - step - 1) * (((double)_dimension * MinBits) + _messageOverhead);
        var affordable = (int)Math.Floor((remainingBits - later - _messageOverhead) / _dimension);
        return Math.Max(MinBits, Math.Min(Bits(_k, step, norm), affordable));
    }

    private int Bits(double k, long step, double norm)
    {
        var decay = Math.Pow(_alpha, (_steps - step) / 2.0);
        var bits = Math.Round(Math.Log2((k * decay * norm) + 1) + 1);
        return (int)Math.Clamp(double.IsFinite(bits) ? bits : MaxBits, MinBits, MaxBits);
    }
}
