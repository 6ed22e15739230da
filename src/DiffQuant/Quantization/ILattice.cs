namespace DiffQuant.Quantization;

/// <summary>
/// A lattice whose cells a code's granular region is made of, through its closest-point map; the
/// quantizer table measures its normalized second moment G = E‖y − Q(y)‖²/d (<see cref="LatticeMoment"/>).
/// </summary>
public interface ILattice
{
    /// <summary>A short name, e.g. "Z" or "E8".</summary>
    string Name { get; }

    /// <summary>d, the length of the points.</summary>
    int Dimension { get; }

    /// <summary>V, the volume of a cell (the determinant of a generator matrix).</summary>
    double Volume { get; }

    /// <summary>Writes the lattice point nearest <paramref name="y"/>.</summary>
    void Nearest(ReadOnlySpan<double> y, Span<double> point);
}
