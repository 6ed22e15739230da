namespace DiffQuant.Quantization;

/// <summary>
/// The paper's uniform scalar quantizer of the cube [−r, r]ⁿ: coordinate i with b_i bits has 2^b_i
/// cells of width Δ = 2r·2^−b_i and decodes to the cell midpoint, so |q_i − u_i| ≤ r·2^−b_i inside
/// the cube; outside it saturates to the end cell (an overload). Covering radius r·√n·2^−R and
/// ρ = √n at integer R.
/// </summary>
public sealed class CubeQuantizer(int dimension, double rate) : CubeQuantizerBase(dimension, rate)
{
    public override string Name => "cube";

    protected override double CellRadius(int bits) => Math.ScaleB(1.0, -bits);

    protected override ulong Cell(double value, double range, int bits, long step, int index)
    {
        var width = Math.ScaleB(2 * range, -bits);
        return Saturate(Math.Floor((value + range) / width), bits);
    }

    protected override double Value(ulong cell, double range, int bits, long step, int index)
    {
        var width = Math.ScaleB(2 * range, -bits);
        return -range + ((cell + 0.5) * width);
    }
}
