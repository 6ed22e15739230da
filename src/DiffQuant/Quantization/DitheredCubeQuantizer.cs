namespace DiffQuant.Quantization;

/// <summary>
/// The cube quantizer with subtractive dither d_i ~ U[−Δ/2, Δ/2) drawn from a seed both ends share:
/// the encoder rounds u_i + d_i to the grid {−r + kΔ : k = 0..2^b−1}, Δ = 2r/(2^b − 1), and the
/// decoder subtracts d_i. Inside the cube the error is uniform on [−Δ/2, Δ/2) and independent of u,
/// at the price of a covering radius r·sqrt(Σ (2^b_i − 1)^−2) instead of r·sqrt(Σ 4^−b_i).
/// </summary>
public sealed class DitheredCubeQuantizer(int dimension, double rate, ulong seed)
    : CubeQuantizerBase<DitheredCubeQuantizer.DitheredGrid>(dimension, rate)
{
    public ulong Seed { get; } = seed;

    public override string Name => "dithered";

    protected override double CellRadius(int bits) => bits == 0 ? 1.0 : 1.0 / (Math.ScaleB(1.0, bits) - 1);

    protected override DitheredGrid Grid(double range, int bits, long step)
    {
        var last = Math.ScaleB(1.0, bits) - 1;
        return new DitheredGrid(range, 2 * range / last, last, Seed, step);
    }

    /// <summary>Points −r + kΔ, k = 0..2^b−1; the dither of coordinate i at step t is shared by both ends.</summary>
    public readonly record struct DitheredGrid(double Range, double Width, double Last, ulong Seed, long Step) : ICubeGrid
    {
        public ulong Cell(double value, int index) =>
            Saturate(Math.Floor(((value + Dither(index) + Range) / Width) + 0.5), Last);

        public double Value(ulong cell, int index) => -Range + (cell * Width) - Dither(index);

        private double Dither(int index) => Width * (SharedRandom.Uniform(Seed, Step, index) - 0.5);
    }
}
