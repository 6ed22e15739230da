using System.Text.Json;
using DiffQuant.LinearAlgebra;
using DiffQuant.Problems;

namespace DiffQuant.Tests;

/// <summary>Large sparse least squares: the Lanczos and CGLS path against the dense one, the generator, and `dq run --problem sparse`.</summary>
public class SparseProblemTests
{
    /// <summary>Below the dense limit the family's constants and x* are exact: the matrix-free ones must agree with them.</summary>
    [Fact]
    public void Lanczos_and_cgls_agree_with_the_dense_spectrum_and_solve()
    {
        var problem = SparseEnsemble.Create(1500, 600, 6, 3);
        var a = problem.Data!.A;
        var (mu, l) = GramLanczos.Extremes(a);
        Assert.Equal(problem.L, l, problem.L * 1e-6);
        Assert.Equal(problem.Mu, mu, problem.Mu * 1e-5);
        Assert.InRange(l, 0, problem.L * (1 + 1e-12));

        var solution = Cgls.Solve(a, problem.Data.Y);
        var difference = TestData.Norm([.. solution.Zip(problem.Solution!, (s, t) => s - t)]);
        Assert.True(difference <= 1e-10 * TestData.Norm(problem.Solution!), $"‖x_cgls − x*‖ = {difference:E3}");

        // Fewer rows than columns: μ = 0, and λ_max alone.
        var rows = a.SelectRows([.. Enumerable.Range(0, 400)]);
        var (_, denseMax) = SymmetricSpectrum.Extremes(GramMatrix.Compute(rows));
        Assert.Equal(denseMax, GramLanczos.Largest(rows), denseMax * 1e-6);
    }

    [Fact]
    public void Tridiagonal_eigenvalues_match_the_dense_solver()
    {
        for (var n = 0; n <= 24; n++)
        {
            var d = GaussianSource.Vector(n, n, GaussianSource.Stream.Matrix);
            var e = GaussianSource.Vector(Math.Max(n - 1, 0), n, GaussianSource.Stream.Target);
            var dense = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                dense[(i * n) + i] = d[i];
                if (i > 0)
                {
                    dense[(i * n) + i - 1] = dense[((i - 1) * n) + i] = e[i - 1];
                }
            }

            var expected = SymmetricSpectrum.Eigenvalues(new DenseMatrix(n, n, dense));
            var actual = SymmetricSpectrum.TridiagonalEigenvalues(d, e);
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(expected[i], actual[i], 1e-12);
            }
        }
    }

    /// <summary>Above <see cref="ProblemLimits.LargestDenseGram"/> unknowns nothing dense is formed; x* still zeroes the gradient.</summary>
    [Fact]
    public void Large_sparse_problems_take_the_matrix_free_path_and_are_reproducible()
    {
        var n = ProblemLimits.LargestDenseGram + 452;
        var problem = SparseEnsemble.Create(n + 500, n, 5, 11);
        Assert.Equal(problem.L, SparseEnsemble.Create(n + 500, n, 5, 11).L);
        Assert.InRange(problem.Kappa, 1, 20);
        var gradient = new double[n];
        problem.Objective.Gradient(problem.Solution!, gradient);
        Assert.True(TestData.Norm(gradient) <= 1e-11 * problem.L * TestData.Norm(problem.Solution!), $"‖∇f(x*)‖ = {TestData.Norm(gradient):E3}");

        // Rayleigh quotients of AᵀA lie in [μ, L] up to the estimate's accuracy.
        var a = problem.Data!.A;
        var v = GaussianSource.Vector(n, 4, GaussianSource.Stream.Solution);
        var av = new double[a.Rows];
        a.Multiply(v, av);
        var quotient = Math.Pow(TestData.Norm(av), 2) / Math.Pow(TestData.Norm(v), 2);
        Assert.InRange(quotient, problem.Mu * (1 - 1e-5), problem.L * (1 + 1e-5));

        // Shards of fewer rows than columns: μ_k = 0 exactly, L_k ≤ L.
        var split = LeastSquaresShards.Split(problem, 2);
        Assert.All(split.Shards!, s => Assert.Equal(0, s.Mu));
        Assert.All(split.Shards!, s => Assert.InRange(s.L, 0.1 * problem.L, problem.L * (1 + 1e-6)));
    }

    [Fact]
    public void Csr_rows_are_validated_and_compacted()
    {
        var a = CsrMatrix.FromRows(2, 3, [0, 3, 4], [2, 0, 2, 1], [1, 2, 3, 4]);
        Assert.Equal(new[] { 0, 2 }, a.RowColumns(0).ToArray());
        Assert.Equal(new[] { 2.0, 4.0 }, a.RowValues(0).ToArray());
        Assert.Contains("column index 3", Assert.Throws<DiffQuantException>(() => CsrMatrix.FromRows(1, 3, [0, 1], [3], [1])).Message);
        Assert.Contains("must not decrease", Assert.Throws<DiffQuantException>(() => CsrMatrix.FromRows(2, 3, [0, 2, 1], [1], [1])).Message);
    }

    [Fact]
    public void Dq_run_solves_a_sparse_problem_and_reports_where_the_time_went()
    {
        var (exit, output, error) = TestData.Dq("run", "--problem", "sparse", "--m", "3000", "--n", "2500", "--method", "gd", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("TargetReached", root.GetProperty("exit_reason").GetString());
        Assert.True(root.GetProperty("relative_error").GetDouble() <= 1e-9);
        Assert.StartsWith("sparse 3000x2500", root.GetProperty("problem").GetString());
        var wall = root.GetProperty("setup_seconds").GetDouble() + root.GetProperty("round_seconds").GetDouble();
        Assert.True(root.GetProperty("round_seconds").GetDouble() > 0);
        Assert.InRange(root.GetProperty("server_seconds").GetDouble() + root.GetProperty("worker_seconds").GetDouble(), 0, wall);
        Assert.Equal(root.GetProperty("worker_seconds").GetDouble(), root.GetProperty("worker_compute_seconds").GetDouble());
    }

    [Theory]
    [InlineData("--nnz-per-row 4", "--nnz-per-row applies to --problem sparse only")]
    [InlineData("--problem sparse --kappa 5", "--kappa does not apply to --problem sparse")]
    [InlineData("--problem sparse --nnz-per-row 1", "--nnz-per-row must lie in 2..")]
    [InlineData("--problem sparse --m 50 --n 100", "--m 50 is below --n 100")]
    public void Bad_sparse_options_are_refused(string arguments, string expected)
    {
        var (exit, _, error) = TestData.Dq(["run", "--iterations", "3", .. arguments.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
    }
}
