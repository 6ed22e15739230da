using System.Numerics.Tensors;

namespace DiffQuant.Methods;

/// <summary>
/// How a worker turns gradients into the quantizer input u = ∇f_k(z) − c: where it takes the gradient (z)
/// and what it subtracts (c), from its own past quantization errors e_{t−1}, e_{t−2} (e = q − u). One
/// instance per strategy; methods are named by <see cref="Prefix"/> + the update rule ("dq-gd").
/// </summary>
public abstract class Compensation
{
    /// <summary>Full-precision floats, no range: u = ∇f(p).</summary>
    public static Compensation None { get; } = new PlainFloats();

    /// <summary>NQ: u = ∇f(p), the gradient at the server's point.</summary>
    public static Compensation Naive { get; } = new NaiveQuantization();

    /// <summary>
    /// DQ (the paper's): c = (1+γ)e_{t−1} − γe_{t−2}, z = p + ηc for AGD and x̂_t + ηe_{t−1} for GD and HB, so
    /// the gradients follow the unquantized path. With K workers each uses its own errors (own-error compensation).
    /// </summary>
    public static Compensation Differential { get; } = new DifferentialCompensation();

    /// <summary>EF: error feedback at the server's point, u = ∇f(p) − e_{t−1}.</summary>
    public static Compensation ErrorFeedback { get; } = new ServerPointErrorFeedback();

    public static IReadOnlyList<Compensation> All { get; } = [None, Naive, Differential, ErrorFeedback];

    /// <summary>The method-name prefix: "", "nq-", "dq-" or "ef-".</summary>
    public abstract string Prefix { get; }

    /// <summary>Whether the method quantizes to a dynamic range (false: it sends floats).</summary>
    public virtual bool Quantizes => true;

    /// <summary>
    /// (a, b, c) of the shifted worst-case range r_t = L_k(‖Δx̃_t‖ + a η ε (r_{t−1} + r_{t−2})) + ε(b r_{t−1} + c r_{t−2})
    /// (see <see cref="Ranges.ShiftedWorstCaseRange"/>).
    /// </summary>
    public abstract (double PointDrift, double Previous, double BeforePrevious) ShiftedRangeCoefficients { get; }

    /// <summary>
    /// Moves <paramref name="point"/> (p on entry, z on return) and fills <paramref name="correction"/> with c;
    /// returns false when c = 0 (nothing to subtract).
    /// </summary>
    public abstract bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> errorBefore, Tuning tuning, Momentum momentum);

    public override string ToString() => Prefix.Length == 0 ? "plain" : Prefix.TrimEnd('-');

    private sealed class PlainFloats : Compensation
    {
        public override string Prefix => string.Empty;

        public override bool Quantizes => false;

        public override (double, double, double) ShiftedRangeCoefficients => (0, 0, 0);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> errorBefore, Tuning tuning, Momentum momentum) => false;
    }

    private sealed class NaiveQuantization : Compensation
    {
        public override string Prefix => "nq-";

        // u_t = ∇f_k(x̃_t) − ∇f_k(x̃_{t−1}) − e_{t−1}
        public override (double, double, double) ShiftedRangeCoefficients => (0, 1, 0);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> errorBefore, Tuning tuning, Momentum momentum) => false;
    }

    private sealed class DifferentialCompensation : Compensation
    {
        public override string Prefix => "dq-";

        // u_t = ∇f_k(z_t) − ∇f_k(z_{t−1}) − 2e_{t−1} + e_{t−2}, ‖z_t − z_{t−1}‖ ≤ ‖Δx̃_t‖ + η(‖e_{t−1}‖ + ‖e_{t−2}‖)
        public override (double, double, double) ShiftedRangeCoefficients => (1, 2, 1);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> errorBefore, Tuning tuning, Momentum momentum)
        {
            var (eta, gamma, _) = tuning;
            TensorPrimitives.Multiply(errorBefore, -gamma, correction);
            TensorPrimitives.MultiplyAdd(error, 1 + gamma, correction, correction);
            TensorPrimitives.MultiplyAdd(momentum == Momentum.Nesterov ? correction : error, eta, point, point);
            return true;
        }
    }

    private sealed class ServerPointErrorFeedback : Compensation
    {
        public override string Prefix => "ef-";

        // u_t = ∇f_k(x̃_t) − ∇f_k(x̃_{t−1}) − 2e_{t−1} + e_{t−2}
        public override (double, double, double) ShiftedRangeCoefficients => (0, 2, 1);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> errorBefore, Tuning tuning, Momentum momentum)
        {
            error.CopyTo(correction);
            return true;
        }
    }
}
