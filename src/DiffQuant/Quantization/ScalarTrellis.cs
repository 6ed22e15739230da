namespace DiffQuant.Quantization;

/// <summary>
/// The state machine of a dependent scalar quantizer: in state s, index k is drawn from codebook
/// <see cref="Codebook"/>(s) and the next state is <see cref="Next"/>(s, k mod 2). <see cref="Single"/> is plain
/// scalar quantization (one state, one uniform codebook). The others are trellis-coded quantization over two codebooks,
/// the even levels 2kΔ and the odd levels (2k − sgn k)Δ (H.266/VVC's dependent quantization): their union is the grid
/// Δℤ, but a path may only use the levels its states allow, which packs sequences of coordinates like a lattice.
/// <see cref="FourState"/> is VVC's trellis (0→{0, 2}, 1→{2, 0}, 2→{1, 3}, 3→{3, 1}; states 0 and 1 even);
/// <see cref="SixtyFourState"/> is Ungerboeck's 64-state amplitude-modulation trellis, the one <c>rotated-tcq</c> uses:
/// at 2 bits a coordinate it cuts the effective ρ from 1.13 to 1.08 at n = 4096 (the tests pin the order).
/// </summary>
public sealed class ScalarTrellis
{
    public static readonly ScalarTrellis Single = new([MagnitudeCells.Uniform], [0], new[,] { { 0, 0 } });

    /// <summary>h0 = 5, h1 = 2 (octal): VVC's 4-state trellis.</summary>
    public static readonly ScalarTrellis FourState = FromParityChecks(2, 0b101, 0b010);

    /// <summary>h0 = 103, h1 = 024 (octal), ν = 6: Ungerboeck's 64-state code for amplitude modulation.</summary>
    public static readonly ScalarTrellis SixtyFourState = FromParityChecks(6, 0b1_000_011, 0b010_100);

    /// <summary>
    /// The 2^ν-state trellis of the rate-½ systematic feedback code with parity checks h0, h1 (octal in Ungerboeck's
    /// tables), in observer form: state bits s_1…s_ν (s_1 the most significant), codebook z0 = s_1, and after branch
    /// bit z1 (the index's parity) s'_k = s_(k+1) ⊕ h0_k·z0 ⊕ h1_k·z1 (s_(ν+1) = 0).
    /// </summary>
    public static ScalarTrellis FromParityChecks(int memory, int h0, int h1)
    {
        var states = 1 << memory;
        var next = new int[states, 2];
        var codebookOf = new int[states];
        for (var state = 0; state < states; state++)
        {
            int Bit(int k) => (state >> (memory - k)) & 1; // s_k, k = 1…ν
            var z0 = Bit(1);
            codebookOf[state] = z0;
            for (var z1 = 0; z1 < 2; z1++)
            {
                var to = 0;
                for (var k = 1; k <= memory; k++)
                {
                    var bit = (k < memory ? Bit(k + 1) : 0) ^ (((h0 >> k) & 1) & z0) ^ (((h1 >> k) & 1) & z1);
                    to |= bit << (memory - k);
                }

                next[state, z1] = to;
            }
        }

        return new ScalarTrellis([MagnitudeCells.TrellisEven, MagnitudeCells.TrellisOdd], codebookOf, next);
    }

    private readonly int[] _codebookOf;

    /// <summary>Next(s, parity) at [2s + parity].</summary>
    private readonly int[] _next;

    /// <summary>The two branches into state t at [2t] and [2t + 1]: (from, parity).</summary>
    private readonly (int From, int Parity)[] _into;

    /// <summary>The branches into state t flattened for the Viterbi search: [4t …] = from_0, slot_0, from_1, slot_1.</summary>
    private readonly int[] _incoming;

    private ScalarTrellis(MagnitudeCells[] codebooks, int[] codebookOf, int[,] next)
    {
        Codebooks = codebooks;
        _codebookOf = codebookOf;
        _next = new int[2 * codebookOf.Length];
        var into = new List<(int From, int Parity)>[codebookOf.Length];
        for (var state = 0; state < codebookOf.Length; state++)
        {
            into[state] = [];
        }

        for (var state = 0; state < codebookOf.Length; state++)
        {
            (_next[2 * state], _next[(2 * state) + 1]) = (next[state, 0], next[state, 1]);
            into[next[state, 0]].Add((state, 0));
            into[next[state, 1]].Add((state, 1));
        }

        if (into.Any(branches => branches.Count != 2))
        {
            Guard.Throw("a scalar trellis needs exactly two branches into every state.");
        }

        _into = [.. into.SelectMany(branches => branches)];
        _incoming = [.. _into.SelectMany(branch => new[] { branch.From, (2 * codebookOf[branch.From]) + branch.Parity })];
    }

    /// <summary>The codebooks, indexed by <see cref="Codebook"/>.</summary>
    public IReadOnlyList<MagnitudeCells> Codebooks { get; }

    /// <summary>The number of states.</summary>
    public int States => _codebookOf.Length;

    /// <summary>The codebook state s draws from.</summary>
    public int Codebook(int state) => _codebookOf[state];

    /// <summary>The state after index k in state s.</summary>
    public int Next(int state, long k) => _next[(2 * state) + (int)(k & 1)];

    /// <summary>Branch b (0 or 1) into state t: the state it leaves and the parity of the index it carries.</summary>
    public (int From, int Parity) Into(int state, int branch) => _into[(2 * state) + branch];

    /// <summary>
    /// For each state t, at [4t …]: the state each incoming branch leaves and its slot 2·codebook(from) + parity (the
    /// branch's cost in a table of each codebook's cheapest index of each parity).
    /// </summary>
    public ReadOnlySpan<int> Incoming => _incoming;
}
