namespace DiffQuant.Methods;

/// <summary>One of the nine methods: {GD, AGD, HB} × {plain, NQ, DQ}, named e.g. "dq-agd".</summary>
public readonly record struct MethodSpec(Momentum Momentum, Compression Compression)
{
    /// <summary>All nine, in display order.</summary>
    public static IReadOnlyList<MethodSpec> All { get; } =
        [.. from c in Enum.GetValues<Compression>() from m in Enum.GetValues<Momentum>() select new MethodSpec(m, c)];

    public string Name => (Compression switch
    {
        Compression.Naive => "nq-",
        Compression.Differential => "dq-",
        _ => string.Empty,
    }) + (Momentum switch
    {
        Momentum.HeavyBall => "hb",
        Momentum.Nesterov => "agd",
        _ => "gd",
    });

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
