using DiffQuant.Quantization;

namespace DiffQuant.Methods;

/// <summary>
/// What each end derives, by the same code, from the shared config and the setup message: the
/// tuning, its own quantizer and the range schedule. Equal inputs give bit-equal ranges on both ends.
/// </summary>
public sealed class MethodContext
{
    private readonly RangeSchedule? _schedule;

    public MethodContext(MethodConfig config, SetupMessage setup)
    {
        config.Validate();
        Config = config;
        Tuning = Tuning.For(config.Method.Momentum, setup.L, setup.Mu, config.StepSize, config.Gamma);
        Quantizer = config.Quantizer.Create(config.Dimension);
        if (config.Method.Compression != Compression.None)
        {
            var response = new SpectralResponse(config.Method.Momentum, Tuning, setup.L, setup.Mu);
            _schedule = new RangeSchedule(config.Method.Compression, response, Tuning, setup.L, setup.D, Quantizer.CoveringRadius(1));
        }
    }

    public MethodConfig Config { get; }

    public Tuning Tuning { get; }

    public IQuantizer Quantizer { get; }

    /// <summary>r_t, or 1 for codecs without a range.</summary>
    public double Range(int t) => _schedule?.At(t) ?? 1;

    /// <summary>Whether r_t is a usable range (positive, normal and finite).</summary>
    public bool HasRange(int t) => double.IsNormal(Range(t)) && Range(t) > 0;
}
