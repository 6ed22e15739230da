using DiffQuant.Methods;
using DiffQuant.Quantization;

namespace DiffQuant.Ranges;

/// <summary>What the third field of a setup message holds, for the range policy to start from.</summary>
public enum SetupScale
{
    /// <summary>D ≥ ‖x̂_0 − x*‖ (the one-worker worst-case and paper schedules).</summary>
    Distance,

    /// <summary>r_0 = ‖∇f_k(x̃_0)‖₂, the first input's norm (the shifted worst case of K workers).</summary>
    InitialGradientNorm,

    /// <summary>r_0 = ‖∇f_k(x̃_0)‖∞, the first input's largest coordinate (adaptive ranges).</summary>
    InitialGradientMax,
}

/// <summary>Builds the range policy of a link from what both ends know; the one place that chooses among them.</summary>
public static class RangePolicies
{
    /// <summary>The policy a method actually runs under: "paper" differs from the worst case only for NQ-GD with one worker.</summary>
    public static RangePolicyKind Effective(RangePolicyKind kind, MethodSpec method, int workers) =>
        kind == RangePolicyKind.Paper && !(workers == 1 && method.Compensation == Compensation.Naive && method.Momentum == Momentum.None)
            ? RangePolicyKind.WorstCase
            : kind;

    /// <summary>What the worker sends as the setup's scale under this configuration.</summary>
    public static SetupScale ScaleOf(MethodConfig config) => config.Range switch
    {
        RangePolicyKind.Adaptive => SetupScale.InitialGradientMax,
        _ when config.Workers > 1 => SetupScale.InitialGradientNorm,
        _ => SetupScale.Distance,
    };

    /// <summary>Checks the policy fits the method, the worker count and the server mode, before any message.</summary>
    public static void Validate(MethodConfig config)
    {
        if (!config.Method.Compensation.Quantizes)
        {
            return;
        }

        var kind = Effective(config.Range, config.Method, config.Workers);
        if (kind != RangePolicyKind.Adaptive && !config.Quantizer.Capabilities.HasCoveringRadius)
        {
            Guard.Throw($"--range {RangePolicyNames.Name(config.Range)} needs a quantizer with a worst-case error bound; {config.Quantizer.Kind} clips instead, so use --range adaptive.");
        }

        if (kind == RangePolicyKind.WorstCase && config.Workers == 1
            && config.Method.Compensation != Compensation.Naive && config.Method.Compensation != Compensation.Differential)
        {
            Guard.Throw($"--range worst-case has no one-worker schedule for {config.Method.Name}; use --range adaptive.");
        }

        if (kind == RangePolicyKind.WorstCase && config.Workers > 1 && config.Mode.Asynchronous)
        {
            Guard.Throw("--range worst-case with several workers bounds each input by the step of the iterates of a synchronous round; use --range adaptive with --mode async.");
        }
    }

    /// <summary>The policy of one link, or null for methods that send floats (their range is 1).</summary>
    public static IRangePolicy? Create(MethodConfig config, SetupMessage setup, Tuning tuning, IQuantizer quantizer)
    {
        var method = config.Method;
        if (!method.Compensation.Quantizes)
        {
            return null;
        }

        var kind = Effective(config.Range, method, config.Workers);
        if (kind == RangePolicyKind.Adaptive)
        {
            // A code that carries its own gain needs no headroom for its own error: the range only anchors the gain.
            return new AdaptiveRange(setup.Scale, config.Quantizer.Capabilities.CarriesScale ? 0 : quantizer.CoordinateErrorBound(1));
        }

        var epsilon = quantizer.CoveringRadius(1);
        if (config.Workers > 1)
        {
            return new ShiftedWorstCaseRange(setup.Scale, setup.L, tuning.StepSize, epsilon, method.Compensation.ShiftedRangeCoefficients);
        }

        if (kind == RangePolicyKind.Paper)
        {
            // The paper's NQ-GD schedule: r_t = L·D·(σ + ρ 2^−R)^t.
            // σ from the setup's L and μ and the agreed η, so the worker (which gets η, not σ) computes it alike.
            var (l, d) = (setup.L, setup.Scale);
            var sigma = new SpectralResponse(method.Momentum, tuning, setup.L, setup.Mu).SpectralRadius;
            var factor = sigma + (quantizer.CoveringEfficiency * Math.Pow(2, -quantizer.Rate));
            return new ScheduledRange("paper", t => l * d * Math.Pow(factor, t));
        }

        var schedule = new RangeSchedule(method.Compensation, new SpectralResponse(method.Momentum, tuning, setup.L, setup.Mu), tuning, setup.L, setup.Scale, epsilon);
        return new ScheduledRange("worst-case", schedule.At);
    }
}
