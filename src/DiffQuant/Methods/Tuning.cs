namespace DiffQuant.Methods;

/// <summary>Step size η, momentum γ and the resulting contraction factor σ of the unquantized method.</summary>
public readonly record struct Tuning(double StepSize, double Gamma, double Sigma)
{
    /// <summary>
    /// The classical tunings from L and μ (κ = L/μ): GD η = 2/(L+μ), σ = (κ−1)/(κ+1);
    /// HB η = 4/(√L+√μ)², γ = ((√κ−1)/(√κ+1))², σ = (√κ−1)/(√κ+1);
    /// AGD η = 1/L, γ = (√κ−1)/(√κ+1), σ = 1 − 1/√κ. GD with μ = 0 (no curvature bound) takes η = 1/L. An override of η or γ recomputes σ as the
    /// spectral radius of the method's iteration on quadratics with spectrum in [μ, L].
    /// </summary>
    public static Tuning For(Momentum momentum, double l, double mu, double? stepSize = null, double? momentumOverride = null)
    {
        Guard.Positive(l, "L");
        if (mu == 0 && momentum == Momentum.None && stepSize is null)
        {
            // No lower bound on the curvature (K shards whose μ_k all vanish): η = 1/L converges for any μ > 0 of
            // f, at 1 − μ/L, which the server cannot know, so σ is reported as 1.
            return new Tuning(1 / l, 0, 1);
        }

        Guard.Positive(mu, "μ");
        if (mu > l)
        {
            Guard.Throw($"μ = {mu} exceeds L = {l}.");
        }

        var kappa = l / mu;
        var root = Math.Sqrt(kappa);
        var classical = momentum switch
        {
            Momentum.HeavyBall => new Tuning(
                4 / Math.Pow(Math.Sqrt(l) + Math.Sqrt(mu), 2),
                Math.Pow((root - 1) / (root + 1), 2),
                (root - 1) / (root + 1)),
            Momentum.Nesterov => new Tuning(1 / l, (root - 1) / (root + 1), 1 - (1 / root)),
            _ => new Tuning(2 / (l + mu), 0, (kappa - 1) / (kappa + 1)),
        };
        if (stepSize is null && momentumOverride is null)
        {
            return classical;
        }

        if (stepSize is { } eta)
        {
            Guard.Positive(eta, "the step size η");
        }

        if (momentumOverride is { } g && (!(g >= 0) || !(g < 1)))
        {
            Guard.Throw($"the momentum γ must lie in [0, 1), got {g}.");
        }

        if (momentum == Momentum.None && momentumOverride is > 0)
        {
            Guard.Throw("GD has no momentum parameter; use hb or agd for γ > 0.");
        }

        var tuned = classical with
        {
            StepSize = stepSize ?? classical.StepSize,
            Gamma = momentumOverride ?? classical.Gamma,
        };
        return tuned with { Sigma = new SpectralResponse(momentum, tuned, l, mu).SpectralRadius };
    }
}
