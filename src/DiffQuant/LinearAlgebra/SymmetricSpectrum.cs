using MathNet.Numerics.LinearAlgebra;

namespace DiffQuant.LinearAlgebra;

/// <summary>The extreme eigenvalues of a symmetric matrix.</summary>
public static class SymmetricSpectrum
{
    /// <summary>(λ_min, λ_max) of the symmetric <paramref name="matrix"/>, from MathNet's symmetric eigendecomposition.</summary>
    public static (double Min, double Max) Extremes(ILinearOperator matrix)
    {
        var values = Matrix<double>.Build.DenseOfArray(matrix.ToArray()).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        return (values.Min(), values.Max());
    }
}
