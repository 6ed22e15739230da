using DiffQuant.State;

namespace DiffQuant.Ranges;

/// <summary>
/// The worst-case range of worker k when it quantizes against a shift h_k both ends keep (h_k ← h_k + q_k,
/// DIANA's memory with step 1): the input is then a change of ∇f_k, which vanishes at x* although ∇f_k(x*)
/// need not. With ε the quantizer's ℓ2 covering radius at range 1 (‖e‖₂ ≤ ε r while ‖u‖∞ ≤ r), L_k from the
/// setup and Δx̃_t the step of the decoded iterates,
/// r_t = L_k(‖Δx̃_t‖ + a η ε (r_{t−1} + r_{t−2})) + ε(b r_{t−1} + c r_{t−2}), r_0 = ‖∇f_k(x̃_0)‖₂ from the setup,
/// with (a, b, c) of the compensation (<see cref="Methods.Compensation.ShiftedRangeCoefficients"/>). By
/// induction ‖u_t‖₂ ≤ r_t, so no coordinate overloads. Units: those of the gradient.
/// </summary>
public sealed class ShiftedWorstCaseRange(double initialRange, double lipschitz, double eta, double epsilon, (double A, double B, double C) coefficients) : IRangePolicy
{
    private int _messages;
    private double _previous;
    private double _beforePrevious;

    public string Name => "worst-case";

    public bool NeedsIterateStep => true;

    public double Peek(double iterateStep)
    {
        if (_messages == 0)
        {
            return initialRange;
        }

        var (a, b, c) = coefficients;
        var drift = iterateStep + (a * eta * epsilon * (_previous + _beforePrevious));
        return (lipschitz * drift) + (epsilon * ((b * _previous) + (c * _beforePrevious)));
    }

    public double Next(double iterateStep)
    {
        var range = Peek(iterateStep);
        _beforePrevious = _previous;
        _previous = range;
        _messages++;
        return range;
    }

    public void Observe(ReadOnlySpan<double> decoded)
    {
    }

    public void Save(SnapshotWriter writer)
    {
        writer.Write(_messages);
        writer.Write(_previous);
        writer.Write(_beforePrevious);
    }

    public void Load(SnapshotReader reader)
    {
        _messages = reader.ReadInt32();
        _previous = reader.ReadDouble();
        _beforePrevious = reader.ReadDouble();
    }
}
