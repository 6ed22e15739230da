using System.Numerics.Tensors;
using DiffQuant.Bits;
using DiffQuant.Quantization;

namespace DiffQuant.Methods;

/// <summary>
/// The server of all nine methods: x̂_{t+1} = x̂_t + γ_s (x̂_t − x̂_{t−1}) − η q_t with γ_s = γ for HB and
/// AGD and 0 for GD, where q_t is decoded from the worker's bits with the range r_t that both ends
/// compute. It sends x̂_0 first (binary64), answers the setup with an empty "go", and each q_t with x̂_{t+1}.
/// </summary>
public sealed class GradientServer : IServer
{
    private readonly MethodConfig _config;
    private readonly FloatCodec _downlinkCodec;
    private readonly BitWriter _writer = new();
    private readonly double[] _iterate;
    private readonly double[] _previous;
    private readonly double[] _quantized;
    private readonly double[] _scratch;
    private MethodContext? _context;

    public GradientServer(MethodConfig config, ReadOnlySpan<double> initialIterate)
    {
        config.Validate();
        Guard.SameLength(initialIterate.Length, config.Dimension, "the initial iterate");
        Guard.AllFinite(initialIterate, "the initial iterate");
        _config = config;
        _downlinkCodec = new FloatCodec(config.Dimension);
        _iterate = initialIterate.ToArray();
        _previous = initialIterate.ToArray();
        _quantized = new double[config.Dimension];
        _scratch = new double[config.Dimension];
    }

    public ReadOnlySpan<double> Iterate => _iterate;

    public int Iterations { get; private set; }

    /// <summary>The setup as received, once it has arrived.</summary>
    public SetupMessage? Setup { get; private set; }

    /// <summary>The agreed tuning, once the setup has arrived.</summary>
    public Tuning? Tuning => _context?.Tuning;

    public bool CanContinue => _context is null || _context.HasRange(Iterations);

    public Payload Open() => WriteIterate();

    public Payload Handle(Payload uplink)
    {
        if (_context is null)
        {
            var setup = SetupMessage.Read(uplink);
            Setup = setup;
            _context = new MethodContext(_config, setup);
            return Payload.Empty;
        }

        if (uplink.BitLength > _context.Quantizer.BudgetBits)
        {
            Guard.Throw($"iteration message of {uplink.BitLength} bits exceeds the quantizer's {_context.Quantizer.BudgetBits} bits.");
        }

        var reader = new BitReader(uplink);
        _context.Quantizer.Decode(ref reader, _context.Range(Iterations), Iterations, _quantized);
        if (reader.Remaining != 0)
        {
            Guard.Throw($"iteration message has {reader.Remaining} bits left over after decoding.");
        }

        var (eta, gamma, _) = _context.Tuning;
        var momentum = _config.Method.Momentum == Momentum.None ? 0 : gamma;

        // scratch = x̂_t + γ_s (x̂_t − x̂_{t−1}) − η q_t
        TensorPrimitives.Subtract(_iterate, _previous, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, momentum, _iterate, _scratch);
        TensorPrimitives.MultiplyAdd(_quantized, -eta, _scratch, _scratch);
        _iterate.CopyTo(_previous.AsSpan());
        _scratch.CopyTo(_iterate.AsSpan());
        Iterations++;
        return WriteIterate();
    }

    private Payload WriteIterate()
    {
        _writer.Reset();
        _downlinkCodec.Encode(_iterate, 1, 0, _writer, _scratch);
        return _writer.ToPayload();
    }
}
