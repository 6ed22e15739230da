using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

public class ProblemTests
{
    /// <summary>Central differences of f against ∇f along a few random directions.</summary>
    private static void AssertGradientMatchesFiniteDifferences(IGradientOracle objective, long seed)
    {
        var n = objective.Dimension;
        var x = GaussianSource.Vector(n, seed, GaussianSource.Stream.InitialPoint);
        var gradient = new double[n];
        objective.Gradient(x, gradient);
        for (var k = 0; k < 3; k++)
        {
            var direction = GaussianSource.Vector(n, seed + k + 1, GaussianSource.Stream.Solution);
            const double h = 1e-5;
            var plus = x.Zip(direction, (a, d) => a + (h * d)).ToArray();
            var minus = x.Zip(direction, (a, d) => a - (h * d)).ToArray();
            var numeric = (objective.Value(plus) - objective.Value(minus)) / (2 * h);
            var analytic = gradient.Zip(direction, (g, d) => g * d).Sum();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * (1 + Math.Abs(analytic)), $"directional derivative {numeric} vs {analytic}");
        }
    }

    [Fact]
    public void Least_squares_gradients_match_finite_differences_dense_and_sparse()
    {
        var dense = TestData.SmallGaussian(m: 40, n: 7);
        AssertGradientMatchesFiniteDifferences(dense.Objective, 3);
        var sparse = CsrMatrix.FromTriplets(5, 3, [(0, 0, 1.0), (1, 1, 2.0), (2, 2, -1.0), (3, 0, 0.5), (4, 2, 3.0), (4, 2, 1.0)]);
        AssertGradientMatchesFiniteDifferences(new LeastSquares(sparse, [1, 2, 3, 4, 5]), 4);
        AssertGradientMatchesFiniteDifferences(QuadraticProblem.Create(9, 1, 30, 2).Objective, 5);
    }

    [Fact]
    public void Sparse_and_dense_products_agree()
    {
        var entries = new List<(int, int, double)>();
        var values = GaussianSource.Vector(60, 9, GaussianSource.Stream.Matrix);
        for (var i = 0; i < 60; i += 3)
        {
            entries.Add((i % 12, i % 5, values[i]));
        }

        var sparse = CsrMatrix.FromTriplets(12, 5, entries);
        var dense = DenseMatrix.FromArray(sparse.ToArray());
        var x = GaussianSource.Vector(5, 1, GaussianSource.Stream.InitialPoint);
        var y = GaussianSource.Vector(12, 1, GaussianSource.Stream.Target);
        double[] a = new double[12], b = new double[12], c = new double[5], d = new double[5];
        sparse.Multiply(x, a);
        dense.Multiply(x, b);
        sparse.MultiplyTransposed(y, c);
        dense.MultiplyTransposed(y, d);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(b[i], a[i], 12);
        }

        for (var j = 0; j < 5; j++)
        {
            Assert.Equal(d[j], c[j], 12);
        }
    }

    [Fact]
    public void Least_squares_solution_zeroes_the_gradient_and_constants_bound_the_spectrum()
    {
        var a = new DenseMatrix(200, 20, GaussianSource.Vector(4000, 6, GaussianSource.Stream.Matrix));
        var problem = LeastSquaresProblem.Create("test", a, GaussianSource.Vector(200, 6, GaussianSource.Stream.Target));
        var gradient = new double[problem.Dimension];
        problem.Objective.Gradient(problem.Solution!, gradient);
        Assert.True(TestData.Norm(gradient) < 1e-10 * problem.L, $"‖∇f(x*)‖ = {TestData.Norm(gradient)}");

        // Rayleigh quotients of AᵀA lie in [μ, L].
        var v = GaussianSource.Vector(problem.Dimension, 4, GaussianSource.Stream.Solution);
        var av = new double[a.Rows];
        a.Multiply(v, av);
        var quotient = Math.Pow(TestData.Norm(av), 2) / Math.Pow(TestData.Norm(v), 2);
        Assert.InRange(quotient, problem.Mu, problem.L);
    }

    [Fact]
    public void Gram_and_residual_forms_agree()
    {
        var a = new DenseMatrix(60, 8, GaussianSource.Vector(480, 2, GaussianSource.Stream.Matrix));
        var y = GaussianSource.Vector(60, 2, GaussianSource.Stream.Target);
        var residualForm = new LeastSquares(a, y);
        var gram = GramMatrix.Compute(a);
        var projection = new double[8];
        a.MultiplyTransposed(y, projection);
        var gramForm = new GramLeastSquares(gram, new LeastSquares(a, y), projection);
        var x = GaussianSource.Vector(8, 3, GaussianSource.Stream.InitialPoint);
        double[] g1 = new double[8], g2 = new double[8];
        residualForm.Gradient(x, g1);
        gramForm.Gradient(x, g2);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(g1[i], g2[i], 1e-9 * (1 + Math.Abs(g1[i])));
        }

        Assert.Equal(residualForm.Value(x), gramForm.Value(x), 1e-9 * residualForm.Value(x));
        AssertGradientMatchesFiniteDifferences(gramForm, 7);

        // The sparse path of GramMatrix gives the same G.
        var dense = gram.ToArray();
        var sparseGram = GramMatrix.Compute(CsrMatrix.FromTriplets(60, 8, [.. Enumerable.Range(0, 480).Select(k => (k / 8, k % 8, a[k / 8, k % 8]))]));
        Assert.IsType<CsrMatrix>(sparseGram);
        var sparse = sparseGram.ToArray();
        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j < 8; j++)
            {
                Assert.Equal(dense[i, j], sparse[i, j], 1e-9 * (1 + Math.Abs(dense[i, j])));
            }
        }

        var sparseForm = new GramLeastSquares(sparseGram, new LeastSquares(a, y), projection);
        var g3 = new double[8];
        sparseForm.Gradient(x, g3);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(g1[i], g3[i], 1e-9 * (1 + Math.Abs(g1[i])));
        }
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(100.0)]
    [InlineData(1e4)]
    public void Gaussian_ensemble_rescales_to_the_requested_condition_number(double kappa)
    {
        var problem = GaussianEnsemble.Create(300, 30, kappa, seed: 2);
        Assert.Equal(kappa, problem.Kappa, kappa * 1e-8);
    }

    [Fact]
    public void Ash958_reads_with_the_papers_shape_and_condition_number()
    {
        var matrix = MatrixMarketReader.Read(TestData.Ash958Path);
        Assert.Equal(958, matrix.Rows);
        Assert.Equal(292, matrix.Columns);
        Assert.Equal(1916, matrix.NonZeros);
        var problem = LeastSquaresProblem.Create("ash958", matrix, GaussianSource.Vector(958, 1, GaussianSource.Stream.Target));
        Assert.Equal(3.2014, Math.Sqrt(problem.Kappa), 4);
    }

    [Fact]
    public void Symmetric_files_are_mirrored_and_integer_values_read()
    {
        var matrix = MatrixMarketReader.Parse(
            ["%%MatrixMarket matrix coordinate integer symmetric", "% comment", "3 3 3", "1 1 2", "3 1 -4", "2 2 5"], "inline");
        var entries = matrix.ToArray();
        Assert.Equal(-4, entries[0, 2]);
        Assert.Equal(-4, entries[2, 0]);
        Assert.Equal(5, entries[1, 1]);
        Assert.Equal(4, matrix.NonZeros);
    }

    [Theory]
    [InlineData("", "inline:1: the file is empty")]
    [InlineData("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4", "format 'array' is not supported")]
    [InlineData("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0", "field 'complex'")]
    [InlineData("%%MatrixMarket matrix coordinate real skew-symmetric\n1 1 0", "symmetry 'skew-symmetric'")]
    [InlineData("%%MatrixMarket matrix coordinate real general", "missing the size line")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0", "declares 2 entries but the file has 1")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0\n2 2 1.0", "inline:4: more entries")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 x 1.0", "inline:3: the column index 'x'")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 nan", "inline:3: 'nan' is not a finite number")]
    [InlineData("%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1.0", "inline:3: expected 2 fields")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 1.0", "outside the declared 2 × 2 matrix")]
    [InlineData("hello", "inline:1: expected the header")]
    public void Malformed_matrix_market_input_names_the_problem_and_line(string text, string expected)
    {
        var lines = text.Length == 0 ? [] : text.Split('\n');
        var error = Assert.Throws<DiffQuantException>(() => MatrixMarketReader.Parse(lines, "inline"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Singular_and_unreadable_problems_are_refused()
    {
        var rankDeficient = CsrMatrix.FromTriplets(4, 2, [(0, 0, 1.0), (1, 0, 2.0)]);
        var error = Assert.Throws<DiffQuantException>(() => LeastSquaresProblem.Create("flat", rankDeficient, [1, 2, 3, 4]));
        Assert.Contains("singular", error.Message);
        Assert.Throws<DiffQuantException>(() => LeastSquaresProblem.Create("wide", CsrMatrix.FromTriplets(1, 2, [(0, 0, 1.0)]), [1]));
        Assert.Throws<DiffQuantException>(() => MatrixMarketReader.Read("/no/such/file.mtx"));
        Assert.Throws<DiffQuantException>(() => new LeastSquares(rankDeficient, [1, 2]));
        Assert.Throws<DiffQuantException>(() => new LeastSquares(rankDeficient, [1, 2, double.NaN, 4]));
    }
}
