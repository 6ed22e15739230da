using System.Numerics;
using System.Runtime.Intrinsics;

namespace DiffQuant.Quantization;

/// <summary>
/// The paper's uniform scalar quantizer of the cube [−r, r]ⁿ: coordinate i with b_i bits has 2^b_i
/// cells of width Δ = 2r·2^−b_i and decodes to the cell midpoint, so |q_i − u_i| ≤ r·2^−b_i inside
/// the cube; outside it saturates to the end cell (an overload). Covering radius r·√n·2^−R and
/// ρ = √n at integer R.
/// </summary>
public sealed class CubeQuantizer(int dimension, double rate) : CubeQuantizerBase<CubeQuantizer.MidpointGrid>(dimension, rate)
{
    public override string Name => "cube";

    protected override double CellRadius(int bits) => Math.ScaleB(1.0, -bits);

    protected override MidpointGrid Grid(double range, int bits, long step) =>
        new(range, Math.ScaleB(2 * range, -bits), Math.ScaleB(1.0, bits) - 1);

    protected override bool QuantizesInRuns => true;

    /// <summary>The grid's cells and values four coordinates at a time: the same operations in the same order as <see cref="MidpointGrid"/>.</summary>
    protected override int QuantizeRun(in MidpointGrid grid, double range, ReadOnlySpan<double> u, int start, Span<double> cells, Span<double> q)
    {
        var (j, overloads) = (0, 0);
        if (Vector256.IsHardwareAccelerated)
        {
            var (r, width, last, half) = (Vector256.Create(grid.Range), Vector256.Create(grid.Width), Vector256.Create(grid.Last), Vector256.Create(0.5));
            for (; j <= u.Length - 4; j += 4)
            {
                var v = Vector256.Create<double>(u[j..]);
                if (!Vector256.EqualsAll(v, v))
                {
                    break; // a NaN: the scalar tail names it
                }

                overloads += BitOperations.PopCount(Vector256.GreaterThan(Vector256.Abs(v), r).ExtractMostSignificantBits()); // r = the grid's range
                // Native max and min (one instruction each): no NaN here, and v + r is never −0 (r > 0), so they clamp as the IEEE ones do.
                var cell = Vector256.MinNative(Vector256.MaxNative(Vector256.Floor((v + r) / width), Vector256<double>.Zero), last);
                cell.CopyTo(cells[j..]);
                (((cell + half) * width) - r).CopyTo(q[j..]);
            }
        }

        return overloads + base.QuantizeRun(grid, range, u[j..], start + j, cells[j..], q[j..]);
    }

    /// <summary>The grid's values four cells at a time: the same operations in the same order as <see cref="MidpointGrid.Value"/>.</summary>
    protected override void ReconstructRun(in MidpointGrid grid, ReadOnlySpan<double> cells, int start, Span<double> q)
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var (low, width, half) = (Vector256.Create(-grid.Range), Vector256.Create(grid.Width), Vector256.Create(0.5));
            for (; j <= cells.Length - 4; j += 4)
            {
                (low + ((Vector256.Create<double>(cells[j..]) + half) * width)).CopyTo(q[j..]);
            }
        }

        base.ReconstructRun(grid, cells[j..], start + j, q[j..]);
    }

    /// <summary>Cells [−r + kΔ, −r + (k+1)Δ), k = 0..2^b−1, decoded to their midpoints.</summary>
    public readonly record struct MidpointGrid(double Range, double Width, double Last) : ICubeGrid
    {
        public ulong Cell(double value, int index) => Saturate(Math.Floor((value + Range) / Width), Last);

        public double Value(ulong cell, int index) => -Range + ((cell + 0.5) * Width);
    }
}
