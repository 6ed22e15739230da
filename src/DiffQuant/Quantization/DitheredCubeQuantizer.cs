namespace DiffQuant.Quantization;

/// <summary>
/// The cube quantizer with subtractive dither d_i ~ U[−Δ/2, Δ/2) drawn from a seed both ends share:
/// the encoder rounds u_i + d_i to the grid {−r + kΔ : k = 0..2^b−1}, Δ = 2r/(2^b − 1), and the
/// decoder subtracts d_i. Inside the cube the error is uniform on [−Δ/2, Δ/2) and independent of u,
/// at the price of a covering radius r·sqrt(Σ (2^b_i − 1)^−2) instead of r·sqrt(Σ 4^−b_i).
/// </summary>
public sealed class DitheredCubeQuantizer(int dimension, double rate, ulong seed) : CubeQuantizerBase(dimension, rate)
{
    public ulong Seed { get; } = seed;

    public override string Name => "dithered";

    protected override double CellRadius(int bits) => bits == 0 ? 1.0 : 1.0 / ((1UL << bits) - 1);

    protected override ulong Cell(double value, double range, int bits, long step, int index)
    {
        var width = Width(range, bits);
        var dithered = value + Dither(width, step, index);
        return Saturate(Math.Floor(((dithered + range) / width) + 0.5), bits);
    }

    protected override double Value(ulong cell, double range, int bits, long step, int index)
    {
        var width = Width(range, bits);
        return -range + (cell * width) - Dither(width, step, index);
    }

    private static double Width(double range, int bits) => 2 * range / ((1UL << bits) - 1);

    private double Dither(double width, long step, int index) =>
        width * (SharedRandom.Uniform(Seed, step, index) - 0.5);
}
