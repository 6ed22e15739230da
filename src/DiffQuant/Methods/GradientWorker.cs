using System.Numerics.Tensors;
using DiffQuant.Bits;
using DiffQuant.Objectives;
using DiffQuant.Quantization;

namespace DiffQuant.Methods;

/// <summary>
/// The worker of all nine methods. With e_t = q_t − u_t (e_{−1} = e_{−2} = 0), the server's points
/// x̂_t, and p_t = x̂_t + γ(x̂_t − x̂_{t−1}) for AGD (p_t = x̂_t otherwise):
/// <list type="bullet">
/// <item>plain and NQ: u_t = ∇f(p_t);</item>
/// <item>DQ: c_t = (1+γ) e_{t−1} − γ e_{t−2} (γ = 0 for GD), z_t = p_t + η c_t for AGD and
/// z_t = x̂_t + η e_{t−1} for GD and HB, u_t = ∇f(z_t) − c_t;</item>
/// </list>
/// then q_t = Q_t(u_t) with range r_t, sent as bits. Messages: it answers the server's x̂_0 with the
/// setup (L, μ, D), the empty "go" with q_0, and each x̂_t with q_t.
/// </summary>
public sealed class GradientWorker : IWorker
{
    private readonly MethodConfig _config;
    private readonly IGradientOracle _objective;
    private readonly double _l;
    private readonly double _mu;
    private readonly Func<ReadOnlySpan<double>, double> _distanceBound;
    private readonly FloatCodec _downlinkCodec;
    private readonly BitWriter _writer = new();
    private readonly double[] _current;
    private readonly double[] _previous;
    private readonly double[] _point;
    private readonly double[] _input;
    private readonly double[] _quantized;
    private readonly double[] _error;
    private readonly double[] _errorBefore;
    private readonly double[] _compensation;
    private MethodContext? _context;
    private int _t;

    /// <param name="distanceBound">D(x̂_0) ≥ ‖x̂_0 − x*‖, computed when x̂_0 arrives.</param>
    public GradientWorker(MethodConfig config, IGradientOracle objective, double l, double mu, Func<ReadOnlySpan<double>, double> distanceBound)
    {
        config.Validate();
        Guard.SameLength(objective.Dimension, config.Dimension, "the objective's dimension");
        _config = config;
        _objective = objective;
        _l = l;
        _mu = mu;
        _distanceBound = distanceBound;
        var n = config.Dimension;
        _downlinkCodec = new FloatCodec(n);
        _current = new double[n];
        _previous = new double[n];
        _point = new double[n];
        _input = new double[n];
        _quantized = new double[n];
        _error = new double[n];
        _errorBefore = new double[n];
        _compensation = new double[n];
    }

    public long Overloads { get; private set; }

    /// <summary>e_{t−1}, the last quantization error (for checking the DQ invariant).</summary>
    public ReadOnlySpan<double> LastError => _error;

    public Payload Handle(Payload downlink)
    {
        _writer.Reset();
        if (_context is null)
        {
            ReadIterate(downlink);
            _current.CopyTo(_previous.AsSpan());
            var setup = new SetupMessage(_l, _mu, _distanceBound(_current));
            Guard.Positive(setup.D, "D (the bound on ‖x̂_0 − x*‖)");
            setup.Write(_writer);
            _context = new MethodContext(_config, setup);
            return _writer.ToPayload();
        }

        if (_t > 0)
        {
            _current.CopyTo(_previous.AsSpan());
            ReadIterate(downlink);
        }
        else if (downlink.BitLength != 0)
        {
            Guard.Throw($"expected the empty go message before the first iteration, got {downlink.BitLength} bits.");
        }

        Step(_context);
        _t++;
        return _writer.ToPayload();
    }

    private void ReadIterate(Payload downlink)
    {
        if (downlink.BitLength != _downlinkCodec.BudgetBits)
        {
            Guard.Throw($"expected an iterate of {_downlinkCodec.BudgetBits} bits, got {downlink.BitLength}.");
        }

        var reader = new BitReader(downlink);
        _downlinkCodec.Decode(ref reader, 1, 0, _current);
    }

    private void Step(MethodContext context)
    {
        var (eta, gamma, _) = context.Tuning;
        var method = _config.Method;
        var nesterov = method.Momentum == Momentum.Nesterov;
        if (nesterov)
        {
            // p = x̂_t + γ (x̂_t − x̂_{t−1})
            TensorPrimitives.Subtract(_current, _previous, _point);
            TensorPrimitives.MultiplyAdd(_point, gamma, _current, _point);
        }
        else
        {
            _current.CopyTo(_point.AsSpan());
        }

        var differential = method.Compression == Compression.Differential;
        if (differential)
        {
            // c = (1+γ) e_{t−1} − γ e_{t−2}; the gradient point moves by η c (AGD) or η e_{t−1} (GD, HB).
            TensorPrimitives.Multiply(_errorBefore, -gamma, _compensation);
            TensorPrimitives.MultiplyAdd(_error, 1 + gamma, _compensation, _compensation);
            TensorPrimitives.MultiplyAdd(nesterov ? _compensation : _error, eta, _point, _point);
        }

        _objective.Gradient(_point, _input);
        if (differential)
        {
            TensorPrimitives.Subtract(_input, _compensation, _input);
        }

        Overloads += context.Quantizer.Encode(_input, context.Range(_t), _t, _writer, _quantized);
        _error.CopyTo(_errorBefore.AsSpan());
        TensorPrimitives.Subtract(_quantized, _input, _error);
    }
}
