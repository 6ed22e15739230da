using System.Numerics.Tensors;

namespace DiffQuant.Methods;

/// <summary>
/// How a worker turns gradients into the quantizer input u = ∇f_k(z) − c: where it takes the gradient (z)
/// and what it subtracts (c), from its own past quantization errors: e_{t−1} (e = q − u) and a memory the
/// strategy keeps (<see cref="Remember"/>: e_{t−2} unless it says otherwise). One instance per strategy; methods
/// are named by <see cref="Prefix"/> + the update rule ("dq-gd").
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

    /// <summary>
    /// DQM (beyond the paper): the gradient on the unquantized trajectory, but only the last error subtracted,
    /// c = e_{t−1}; the server's iterate then trails the unquantized one by d_t = −η·D_t with D_t = γD_{t−1} + e_{t−1}
    /// (the momentum-filtered errors) instead of DQ's −η·e_{t−1}, and the input no longer carries DQ's
    /// (1+γ)e_{t−1} − γe_{t−2}: where the code's error sets the pace, it contracts at the code's relative error rather
    /// than about (1+γ) times it. z = p + η·D_t for GD and HB, p + η(γD_t + e_{t−1}) for AGD. With γ = 0 (GD) it is DQ.
    /// </summary>
    public static Compensation MomentumFiltered { get; } = new MomentumFilteredCompensation();

    public static IReadOnlyList<Compensation> All { get; } = [None, Naive, Differential, ErrorFeedback, MomentumFiltered];

    /// <summary>The method-name prefix: "", "nq-", "dq-", "ef-" or "dqm-".</summary>
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
    public abstract bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum);

    /// <summary>
    /// After a message: <paramref name="error"/> ← e_t = q − u, and <paramref name="memory"/> ← what the next
    /// <see cref="Prepare"/> reads besides it (here e_{t−1}, the error before).
    /// </summary>
    public virtual void Remember(Span<double> error, Span<double> memory, ReadOnlySpan<double> quantized, ReadOnlySpan<double> input, Tuning tuning)
    {
        error.CopyTo(memory);
        TensorPrimitives.Subtract(quantized, input, error);
    }

    public override string ToString() => Prefix.Length == 0 ? "plain" : Prefix.TrimEnd('-');

    private sealed class PlainFloats : Compensation
    {
        public override string Prefix => string.Empty;

        public override bool Quantizes => false;

        public override (double, double, double) ShiftedRangeCoefficients => (0, 0, 0);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum) => false;
    }

    private sealed class NaiveQuantization : Compensation
    {
        public override string Prefix => "nq-";

        // u_t = ∇f_k(x̃_t) − ∇f_k(x̃_{t−1}) − e_{t−1}
        public override (double, double, double) ShiftedRangeCoefficients => (0, 1, 0);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum) => false;
    }

    private sealed class DifferentialCompensation : Compensation
    {
        public override string Prefix => "dq-";

        // u_t = ∇f_k(z_t) − ∇f_k(z_{t−1}) − 2e_{t−1} + e_{t−2}, ‖z_t − z_{t−1}‖ ≤ ‖Δx̃_t‖ + η(‖e_{t−1}‖ + ‖e_{t−2}‖)
        public override (double, double, double) ShiftedRangeCoefficients => (1, 2, 1);

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum)
        {
            var (eta, gamma, _) = tuning;
            TensorPrimitives.Multiply(memory, -gamma, correction);
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

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum)
        {
            error.CopyTo(correction);
            return true;
        }
    }

    private sealed class MomentumFilteredCompensation : Compensation
    {
        public override string Prefix => "dqm-";

        // Several workers run only GD, where DQM is DQ: DQ's coefficients.
        public override (double, double, double) ShiftedRangeCoefficients => Differential.ShiftedRangeCoefficients;

        public override bool Prepare(Span<double> point, Span<double> correction, ReadOnlySpan<double> iterate, ReadOnlySpan<double> error, ReadOnlySpan<double> memory, Tuning tuning, Momentum momentum)
        {
            var (eta, gamma, _) = tuning;
            error.CopyTo(correction);
            if (momentum == Momentum.Nesterov)
            {
                // The unquantized p_t is p̂_t + η((1+γ)D_t − γD_{t−1}), and γD_{t−1} = D_t − e_{t−1}.
                TensorPrimitives.MultiplyAdd(memory, eta * gamma, point, point);
                TensorPrimitives.MultiplyAdd(error, eta, point, point);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(memory, eta, point, point);
            }

            return true;
        }

        /// <summary>e ← q − u; D ← γD + e.</summary>
        public override void Remember(Span<double> error, Span<double> memory, ReadOnlySpan<double> quantized, ReadOnlySpan<double> input, Tuning tuning)
        {
            TensorPrimitives.Subtract(quantized, input, error);
            TensorPrimitives.MultiplyAdd(memory, tuning.Gamma, error, memory);
        }
    }
}
