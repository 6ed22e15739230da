using DiffQuant.Methods;

namespace DiffQuant.Ranges;

/// <summary>
/// The worst-case dynamic range r_t ≥ ‖u_t‖₂ of the quantizer input, computed alike by worker and
/// server from what both know (L, μ, D, η, γ and the quantizer's relative covering radius ε, so
/// that ‖e_t‖ ≤ ε r_t). Since the cube [−r, r]ⁿ contains the ℓ2 ball of radius r, no coordinate
/// overloads while the bound holds. Bounds of momentum methods hold for quadratic objectives; GD's for
/// any L-smooth μ-strongly convex f.
/// <list type="bullet">
/// <item>DQ (Theorem III.1 and its momentum forms): u_t = ∇f(z_t) − c_t, z_t on the unquantized path and
/// c_t = (1+γ)e_{t−1} − γ e_{t−2}, so r_t = L·D·T(t) + (1+γ)ε r_{t−1} + γ ε r_{t−2}; for GD (γ = 0,
/// T(t) = σ^t) this is r_t = σ^t D L + ε r_{t−1}.</item>
/// <item>NQ: u_t = ∇f at the server's point, which the errors −η e_τ have pushed off the unquantized path,
/// so r_t = L·[D·T(t) + η ε Σ_{τ&lt;t} G(t−1−τ) r_τ]; for GD this sums to r_t = L D s^t with
/// s = σ + η L ε (the constant the NQ rate carries: η L = 2κ/(κ+1) ∈ [1, 2)).</item>
/// </list>
/// T and G are the transient and impulse maxima of <see cref="SpectralResponse"/>.
/// </summary>
public sealed class RangeSchedule
{
    private readonly bool _differential;
    private readonly SpectralResponse _response;
    private readonly double _l;
    private readonly double _d;
    private readonly double _epsilon;
    private readonly double _eta;
    private readonly double _gamma;
    private readonly List<double> _ranges = [];
    private double _drift;

    /// <param name="epsilon">ε, the covering radius of the quantizer at range 1.</param>
    /// <param name="d">D ≥ ‖x̂_0 − x*‖.</param>
    public RangeSchedule(Compensation compensation, SpectralResponse response, Tuning tuning, double l, double d, double epsilon)
    {
        if (compensation != Compensation.Naive && compensation != Compensation.Differential)
        {
            Guard.Throw($"the worst-case schedule of one worker is derived for NQ and DQ methods, not for {compensation}; use --range adaptive.");
        }

        Guard.Positive(d, "D (the bound on ‖x̂_0 − x*‖)");
        Guard.Positive(l, "L");
        if (!(epsilon >= 0) || !double.IsFinite(epsilon))
        {
            Guard.Throw($"the quantizer's covering radius must be finite, got {epsilon}; this quantizer cannot drive a worst-case range.");
        }

        _differential = compensation == Compensation.Differential;
        _response = response;
        _l = l;
        _d = d;
        _epsilon = epsilon;
        _eta = tuning.StepSize;
        _gamma = tuning.Gamma;
    }

    /// <summary>r_t, computed once and cached; t = 0, 1, 2, ….</summary>
    public double At(int t)
    {
        while (_ranges.Count <= t)
        {
            _ranges.Add(Compute(_ranges.Count));
        }

        return _ranges[t];
    }

    private double Compute(int t)
    {
        var transient = _l * _d * _response.Initial(t);
        if (_differential)
        {
            var previous = t >= 1 ? _ranges[t - 1] : 0;
            var beforePrevious = t >= 2 ? _ranges[t - 2] : 0;
            return transient + ((1 + _gamma) * _epsilon * previous) + (_gamma * _epsilon * beforePrevious);
        }

        // drift_t = Σ_{τ<t} G(t−1−τ) r_τ; with G(k) = σ^k it follows drift_t = σ·drift_{t−1} + r_{t−1} in O(1).
        double drift = 0;
        if (_response.IsGeometric)
        {
            drift = t == 0 ? 0 : (_response.SpectralRadius * _drift) + _ranges[t - 1];
            _drift = drift;
        }
        else
        {
            for (var tau = 0; tau < t; tau++)
            {
                drift += _response.Impulse(t - 1 - tau) * _ranges[tau];
            }
        }

        return transient + (_l * _eta * _epsilon * drift);
    }
}
