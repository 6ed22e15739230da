namespace DiffQuant.Methods;

/// <summary>A method: an update rule (GD, AGD, HB) and a <see cref="Compensation"/>, named e.g. "dq-agd".</summary>
public readonly record struct MethodSpec(Momentum Momentum, Compensation Compensation)
{
    /// <summary>The paper's nine: {GD, AGD, HB} × {plain, NQ, DQ}, in display order.</summary>
    public static IReadOnlyList<MethodSpec> Paper { get; } =
        [.. from c in new[] { Compensation.None, Compensation.Naive, Compensation.Differential } from m in Enum.GetValues<Momentum>() select new MethodSpec(m, c)];

    /// <summary>Every method, the paper's nine and error feedback at the server's point.</summary>
    public static IReadOnlyList<MethodSpec> All { get; } =
        [.. from c in Compensation.All from m in Enum.GetValues<Momentum>() select new MethodSpec(m, c)];

    public string Name => Compensation.Prefix + Momentum switch
    {
        Momentum.HeavyBall => "hb",
        Momentum.Nesterov => "agd",
        _ => "gd",
    };

    /// <summary>The unquantized method with the same update rule.</summary>
    public MethodSpec Plain => this with { Compensation = Compensation.None };

    public static MethodSpec Parse(string name)
    {
        foreach (var method in All)
        {
            if (string.Equals(method.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return method;
            }
        }

        throw new DiffQuantException($"unknown method '{name}'; choose one of {string.Join(", ", All.Select(m => m.Name))}.");
    }

    public override string ToString() => Name;
}
