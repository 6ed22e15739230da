using DiffQuant.LinearAlgebra;
using DiffQuant.Problems;
using MathNet.Numerics.LinearAlgebra;

namespace DiffQuant.Tests;

public class LinearAlgebraTests
{
    public static TheoryData<int> Widths => [.. Enumerable.Range(0, 41).Concat([63, 64, 65, 100, 127, 128, 255, 256])];

    /// <summary>The vector kernel against its forced scalar reference, for every row count 0..9 and widths 0..256.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Dense_product_kernel_matches_the_scalar_reference(int columns)
    {
        for (var rows = 0; rows <= 9; rows++)
        {
            var a = GaussianSource.Vector(rows * columns, (rows * 1000) + columns, GaussianSource.Stream.Matrix);
            var x = GaussianSource.Vector(columns, columns, GaussianSource.Stream.InitialPoint);
            var fast = new double[rows];
            var reference = new double[rows];
            DenseKernels.MultiplyRows(a, columns, x, fast);
            DenseKernels.MultiplyRows(a, columns, x, reference, scalar: true);
            for (var i = 0; i < rows; i++)
            {
                double exact = 0;
                for (var j = 0; j < columns; j++)
                {
                    exact += a[(i * columns) + j] * x[j];
                }

                Assert.Equal(exact, reference[i]);
                var magnitude = Enumerable.Range(0, columns).Sum(j => Math.Abs(a[(i * columns) + j] * x[j]));
                Assert.True(Math.Abs(fast[i] - exact) <= 1e-14 * (1 + magnitude), $"row {i} of {rows} × {columns}: {fast[i]} vs {exact}");
            }
        }
    }

    /// <summary>The tiled Gram kernel against its scalar reference for every n in 0..11 and column lengths 0..256.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Gram_kernel_matches_the_scalar_reference_and_is_symmetric(int m)
    {
        for (var n = 0; n <= 11; n++)
        {
            var columns = GaussianSource.Vector(m * n, (m * 100) + n, GaussianSource.Stream.Matrix);
            var fast = new double[n * n];
            var reference = new double[n * n];
            DenseKernels.Gram(columns, m, n, fast);
            DenseKernels.Gram(columns, m, n, reference, scalar: true);
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    Assert.Equal(fast[(i * n) + j], fast[(j * n) + i]);
                    double exact = 0, magnitude = 0;
                    for (var r = 0; r < m; r++)
                    {
                        exact += columns[(i * m) + r] * columns[(j * m) + r];
                        magnitude += Math.Abs(columns[(i * m) + r] * columns[(j * m) + r]);
                    }

                    Assert.Equal(i <= j ? exact : reference[(j * n) + i], reference[(i * n) + j]);
                    Assert.True(Math.Abs(fast[(i * n) + j] - exact) <= 1e-14 * (1 + magnitude), $"G[{i},{j}] of m = {m}, n = {n}");
                }
            }
        }
    }

    [Fact]
    public void Dense_product_kernel_refuses_mismatched_lengths()
    {
        var e = Assert.Throws<DiffQuantException>(() => DenseKernels.MultiplyRows(new double[6], 3, new double[2], new double[2]));
        Assert.Contains("x in A·x", e.Message);
        e = Assert.Throws<DiffQuantException>(() => DenseKernels.MultiplyRows(new double[5], 3, new double[3], new double[2]));
        Assert.Contains("matrix entries", e.Message);
    }

    /// <summary>Eigenvalues-only against MathNet's full symmetric EVD on random, graded and clustered spectra.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(64)]
    public void Symmetric_eigenvalues_match_MathNet(int n)
    {
        var b = Matrix<double>.Build.DenseOfColumnMajor(n, n, GaussianSource.Vector(n * n, n, GaussianSource.Stream.Matrix));
        var graded = Matrix<double>.Build.DenseOfDiagonalArray([.. Enumerable.Range(0, n).Select(i => Math.Pow(10, -i % 9))]);
        var q = b.QR().Q;
        var clustered = q * Matrix<double>.Build.DenseOfDiagonalArray([.. Enumerable.Range(0, n).Select(i => i % 2 == 0 ? 1.0 : 1.0 + 1e-9)]) * q.Transpose();
        foreach (var matrix in new[] { b + b.Transpose(), b.TransposeThisAndMultiply(b), graded, (clustered + clustered.Transpose()) / 2 })
        {
            var expected = matrix.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).Order().ToArray();
            var actual = SymmetricSpectrum.Eigenvalues(DenseMatrix.FromArray(matrix.ToArray()));
            var scale = expected.Max(Math.Abs);
            for (var i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-12 * scale, $"λ_{i} of n = {n}: {actual[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public void Symmetric_eigenvalues_of_known_matrices()
    {
        Assert.Equal([1.0, 3.0], SymmetricSpectrum.Eigenvalues(DenseMatrix.FromArray(new double[,] { { 2, 1 }, { 1, 2 } })), new ToleranceComparer(1e-15));
        Assert.Equal([0.0, 0.0, 0.0], SymmetricSpectrum.Eigenvalues(new DenseMatrix(3, 3, new double[9])));
        Assert.Empty(SymmetricSpectrum.Eigenvalues(new DenseMatrix(0, 0, [])));
        var (min, max) = SymmetricSpectrum.Extremes(DenseMatrix.FromArray(new double[,] { { 4, 0, 0 }, { 0, -2, 0 }, { 0, 0, 1 } }));
        Assert.Equal((-2.0, 4.0), (min, max));
    }

    [Fact]
    public void Symmetric_eigenvalues_refuse_overflowed_entries()
    {
        var e = Assert.Throws<DiffQuantException>(() => SymmetricSpectrum.Eigenvalues(DenseMatrix.FromArray(new double[,] { { 1, double.PositiveInfinity }, { double.PositiveInfinity, 1 } })));
        Assert.Contains("(1, 2)", e.Message);
        Assert.Contains("too large", e.Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
