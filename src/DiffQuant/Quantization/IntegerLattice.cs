namespace DiffQuant.Quantization;

/// <summary>ℤ: the cells of every uniform scalar code (the cube, the rotated codes); G = 1/12.</summary>
public sealed class IntegerLattice : ILattice
{
    public static readonly IntegerLattice Instance = new();

    private IntegerLattice()
    {
    }

    public string Name => "Z";

    public int Dimension => 1;

    public double Volume => 1;

    public void Nearest(ReadOnlySpan<double> y, Span<double> point) => point[0] = Math.Round(y[0]);
}
