namespace DiffQuant.Quantization;

/// <summary>The parameters a quantizer is built from: n, R in bits per coordinate and the shared seed.</summary>
public readonly record struct QuantizerParameters(int Dimension, double Rate, ulong Seed);

/// <summary>One registered quantizer: its name, what it is, what it declares and how to build it.</summary>
public sealed record QuantizerRegistration(string Name, string Description, QuantizerCapabilities Capabilities, Func<QuantizerParameters, IQuantizer> Create);

/// <summary>
/// Every quantizer by name. Adding one is one class and one <see cref="Register"/> call; nothing else
/// switches on quantizer names.
/// </summary>
public static class QuantizerRegistry
{
    // Copy-on-write: lookups (several per run, from every sweep thread) read a snapshot without a lock.
    private static readonly Lock Gate = new();
    private static volatile QuantizerRegistration[] _entries = [];

    static QuantizerRegistry()
    {
        Register(new QuantizerRegistration(
            "cube",
            "the paper's uniform scalar quantizer of [−r, r]ⁿ (cell midpoints)",
            new QuantizerCapabilities(InputNorm.Infinity, NeedsRange: true, CarriesScale: false, UsesSharedRandomness: false, ImpliedRate: null, IntegerLattice.Instance),
            p => new CubeQuantizer(p.Dimension, p.Rate)));
        Register(new QuantizerRegistration(
            "dithered",
            "the cube quantizer with subtractive dither from a shared seed",
            new QuantizerCapabilities(InputNorm.Infinity, NeedsRange: true, CarriesScale: false, UsesSharedRandomness: true, ImpliedRate: null, IntegerLattice.Instance),
            p => new DitheredCubeQuantizer(p.Dimension, p.Rate, p.Seed)));
        Register(new QuantizerRegistration(
            "rotated",
            $"a randomized Hadamard rotation and a {RotatedQuantizer.ScaleBits}-bit gain relative to the range for each chunk of {RotatedQuantizer.ChunkLength} coordinates, and Gaussian-optimal clipped uniform codes",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: true, CarriesScale: true, UsesSharedRandomness: true, ImpliedRate: null, IntegerLattice.Instance),
            p => new RotatedQuantizer(p.Dimension, p.Rate, p.Seed)));
        Register(new QuantizerRegistration(
            "rotated-ec",
            "the rotated code with range-coded uniform steps under a Gaussian model, the finest step that fits the budget",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: true, CarriesScale: true, UsesSharedRandomness: true, ImpliedRate: null, IntegerLattice.Instance),
            p => new EntropyCodedRotatedQuantizer(p.Dimension, p.Rate, p.Seed)));
        Register(new QuantizerRegistration(
            "rotated-tcq",
            "the rotated code with entropy-coded trellis-coded quantization (Ungerboeck's 64-state trellis, a Viterbi search of distortion plus λ·bits), the finest step that fits",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: true, CarriesScale: true, UsesSharedRandomness: true, ImpliedRate: null),
            p => new EntropyCodedRotatedQuantizer(p.Dimension, p.Rate, p.Seed, ScalarTrellis.SixtyFourState)));
        Register(new QuantizerRegistration(
            "e8",
            "the rotated code's rotation and gain with E8 lattice blocks in Voronoi codes (8 coordinates in 8·b bits), clipped rather than wrapped",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: true, CarriesScale: true, UsesSharedRandomness: true, ImpliedRate: null, E8Lattice.Instance),
            p => new LatticeQuantizer(E8Lattice.Instance, p.Dimension, p.Rate, p.Seed)));
        Register(new QuantizerRegistration(
            "d8",
            "the e8 code with blocks of the checkerboard lattice D8 (D_n at n = 8) instead of E8",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: true, CarriesScale: true, UsesSharedRandomness: true, ImpliedRate: null, D8Lattice.Instance),
            p => new LatticeQuantizer(D8Lattice.Instance, p.Dimension, p.Rate, p.Seed)));
        Register(new QuantizerRegistration(
            "float64",
            "IEEE-754 binary64 per coordinate (lossless)",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: false, CarriesScale: false, UsesSharedRandomness: false, ImpliedRate: 64),
            p => new FloatCodec(p.Dimension, 64)));
        Register(new QuantizerRegistration(
            "float32",
            "IEEE-754 binary32 per coordinate",
            new QuantizerCapabilities(InputNorm.None, NeedsRange: false, CarriesScale: false, UsesSharedRandomness: false, ImpliedRate: 32),
            p => new FloatCodec(p.Dimension, 32)));
    }

    /// <summary>The registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names => [.. _entries.Select(e => e.Name)];

    /// <summary>Adds a quantizer; a name may be registered once.</summary>
    public static void Register(QuantizerRegistration registration)
    {
        lock (Gate)
        {
            if (_entries.Any(e => e.Name == registration.Name))
            {
                Guard.Throw($"a quantizer named '{registration.Name}' is already registered.");
            }

            _entries = [.. _entries, registration];
        }
    }

    /// <summary>The registration of <paramref name="name"/> (case-insensitive), or a clear error listing the choices.</summary>
    public static QuantizerRegistration Find(string name)
    {
        var key = name.AsSpan().Trim();
        var entries = _entries;
        foreach (var entry in entries)
        {
            if (key.Equals(entry.Name, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        throw new DiffQuantException($"unknown quantizer '{name}'; choose one of {string.Join(", ", entries.Select(e => e.Name))}.");
    }
}
