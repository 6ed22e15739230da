namespace DiffQuant.Methods;

/// <summary>
/// How the unquantized method acts on a quadratic whose Hessian has its spectrum in [μ, L]: in the
/// eigenbasis each eigenvalue λ evolves a scalar pair (x_t, x_{t−1}) by a 2 × 2 linear map, so
/// ‖P(H) v‖ ≤ max_λ |P(λ)| ‖v‖ for the polynomial P of any response. The maxima are taken over 257
/// Chebyshev–Lobatto points of [μ, L] (ends included, where GD's extremes lie exactly).
/// Responses are of the point where the gradient is taken: x_t for GD and HB, y_t for AGD.
/// </summary>
public sealed class SpectralResponse
{
    private const int GridSize = 257;
    private readonly Momentum _momentum;
    private readonly double _gamma;
    private readonly double[] _contraction;
    private Track? _initial;
    private Track? _impulse;

    public SpectralResponse(Momentum momentum, Tuning tuning, double l, double mu)
    {
        _momentum = momentum;
        _gamma = tuning.Gamma;
        _contraction = new double[GridSize];
        for (var j = 0; j < GridSize; j++)
        {
            var lambda = mu + ((l - mu) * (1 - Math.Cos(Math.PI * j / (GridSize - 1))) / 2);
            _contraction[j] = 1 - (tuning.StepSize * lambda);
        }

        SpectralRadius = _contraction.Max(Radius);
    }

    /// <summary>max_λ of the spectral radius of the 2 × 2 iteration: the asymptotic contraction σ.</summary>
    public double SpectralRadius { get; }

    /// <summary>
    /// Whether both responses are σ^t: for GD, |1 − ηλ|^t is largest at an end of [μ, L], both grid points,
    /// so T(t) = G(t) = σ^t exactly and nothing needs tracking.
    /// </summary>
    public bool IsGeometric => _momentum == Momentum.None;

    /// <summary>
    /// T(t) = max_λ |response at time t| with x_0 − x* = 1 and x_{−1} = x_0: so that
    /// ‖z_t − x*‖ ≤ T(t)·‖x_0 − x*‖ for the unquantized method. Call with t = 0, 1, 2, … in any order.
    /// </summary>
    public double Initial(int t) => IsGeometric ? Math.Pow(SpectralRadius, t) : (_initial ??= new Track(this, current: 1, previous: 1)).At(t);

    /// <summary>
    /// G(k) = max_λ |response k steps after a unit change of the iterate|: a perturbation δ added to
    /// x_{τ+1} moves the gradient point z_{τ+1+k} by at most G(k)‖δ‖.
    /// </summary>
    public double Impulse(int k) => IsGeometric ? Math.Pow(SpectralRadius, k) : (_impulse ??= new Track(this, current: 1, previous: 0)).At(k);

    private double Radius(double c)
    {
        // Characteristic polynomial z² − b z + d of the 2 × 2 iteration for one eigenvalue.
        var (b, d) = _momentum switch
        {
            Momentum.HeavyBall => (c + _gamma, _gamma),
            Momentum.Nesterov => ((1 + _gamma) * c, _gamma * c),
            _ => (c, 0.0),
        };
        var discriminant = (b * b) - (4 * d);
        if (discriminant < 0)
        {
            return Math.Sqrt(d);
        }

        var s = Math.Sqrt(discriminant);
        return Math.Max(Math.Abs(b + s), Math.Abs(b - s)) / 2;
    }

    /// <summary>Scalar trajectories on the grid, advanced on demand and cached per time.</summary>
    private sealed class Track
    {
        private readonly SpectralResponse _owner;
        private readonly double[] _current;
        private readonly double[] _previous;
        private readonly List<double> _maxima = [];

        public Track(SpectralResponse owner, double current, double previous)
        {
            _owner = owner;
            _current = Enumerable.Repeat(current, GridSize).ToArray();
            _previous = Enumerable.Repeat(previous, GridSize).ToArray();
        }

        public double At(int t)
        {
            while (_maxima.Count <= t)
            {
                if (_maxima.Count > 0)
                {
                    Advance();
                }

                _maxima.Add(Max());
            }

            return _maxima[t];
        }

        private double Point(int j) =>
            _owner._momentum == Momentum.Nesterov ? _current[j] + (_owner._gamma * (_current[j] - _previous[j])) : _current[j];

        private double Max()
        {
            double max = 0;
            for (var j = 0; j < GridSize; j++)
            {
                max = Math.Max(max, Math.Abs(Point(j)));
            }

            return max;
        }

        private void Advance()
        {
            var gamma = _owner._gamma;
            for (var j = 0; j < GridSize; j++)
            {
                var c = _owner._contraction[j];
                var next = _owner._momentum switch
                {
                    Momentum.HeavyBall => (c * _current[j]) + (gamma * (_current[j] - _previous[j])),
                    Momentum.Nesterov => c * Point(j),
                    _ => c * _current[j],
                };
                _previous[j] = _current[j];
                _current[j] = next;
            }
        }
    }
}
