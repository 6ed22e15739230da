namespace DiffQuant.Methods;

/// <summary>The unquantized method underneath: how the next iterate uses the previous one.</summary>
public enum Momentum
{
    /// <summary>GD: x_{t+1} = x_t − η ∇f(x_t).</summary>
    None,

    /// <summary>Polyak's heavy ball: x_{t+1} = x_t − η ∇f(x_t) + γ (x_t − x_{t−1}).</summary>
    HeavyBall,

    /// <summary>Nesterov: y_t = x_t + γ (x_t − x_{t−1}); x_{t+1} = y_t − η ∇f(y_t).</summary>
    Nesterov,
}
