using DiffQuant.LinearAlgebra;
using DiffQuant.Objectives;

namespace DiffQuant.Problems;

/// <summary>
/// Splits f(x) = ½‖y − A x‖² over K workers by rows: f_k(x) = ½‖y_k − A_k x‖², f = Σ_k f_k. Worker k knows
/// only its rows; its L_k and μ_k are the extreme eigenvalues of A_kᵀA_k (μ_k = 0 for a shard with fewer
/// independent rows than columns).
/// </summary>
public static class LeastSquaresShards
{
    /// <summary>
    /// The problem with its K shards: contiguous blocks of ⌊m/K⌋ or ⌈m/K⌉ rows, or row i to worker
    /// <paramref name="assignment"/>[i] when given.
    /// </summary>
    public static Problem Split(Problem problem, int workers, IReadOnlyList<int>? assignment = null)
    {
        if (workers == 1)
        {
            return problem;
        }

        var data = problem.Data ?? throw new DiffQuantException($"problem '{problem.Name}' has no least-squares data to split over workers.");
        var m = data.A.Rows;
        if (workers < 1 || workers > m)
        {
            Guard.Throw($"--workers must lie in 1..{m} (the rows of A), got {workers}.");
        }

        if (assignment is not null)
        {
            Guard.SameLength(assignment.Count, m, "the shard assignment (one worker index per row of A)");
        }

        var rowsOf = new List<int>[workers];
        for (var k = 0; k < workers; k++)
        {
            rowsOf[k] = [];
        }

        for (var i = 0; i < m; i++)
        {
            var k = assignment?[i] ?? (int)((long)i * workers / m);
            if ((uint)k >= (uint)workers)
            {
                Guard.Throw($"row {i + 1} is assigned to worker {k}, outside 0..{workers - 1}.");
            }

            rowsOf[k].Add(i);
        }

        var shards = new Problem[workers];
        for (var k = 0; k < workers; k++)
        {
            if (rowsOf[k].Count == 0)
            {
                Guard.Throw($"worker {k} has no rows of A.");
            }

            shards[k] = Shard($"{problem.Name} shard {k}", data.A.SelectRows(rowsOf[k]), [.. rowsOf[k].Select(i => data.Y[i])]);
        }

        return problem with { Shards = shards };
    }

    private static Problem Shard(string name, ILinearOperator a, double[] y)
    {
        if (a.Columns > ProblemLimits.LargestDenseGram)
        {
            // Too many unknowns for a dense AᵀA: Lanczos for L_k, and μ_k = 0 for a shard with fewer rows than columns.
            var (low, high) = a.Rows < a.Columns ? (0, GramLanczos.Largest(a)) : GramLanczos.Extremes(a);
            return new Problem(name, new LeastSquares(a, y), high, low, null, a.Rows) { Data = new LeastSquaresData(a, y) };
        }

        var gram = GramMatrix.Compute(a);
        var (mu, l) = SymmetricSpectrum.Extremes(gram);
        var projection = new double[a.Columns];
        a.MultiplyTransposed(y, projection);
        var samples = new LeastSquares(a, y);
        IStochasticOracle objective = GramMatrix.Cost(gram) < 2L * GramMatrix.NonZeros(a) ? new GramLeastSquares(gram, samples, projection) : samples;
        // A computed λ_min below L_k/10¹² is rounding noise of a rank-deficient shard: report μ_k = 0 exactly.
        return new Problem(name, objective, l, mu * ProblemLimits.MaxConditionNumber > l ? mu : 0, null, a.Rows) { Data = new LeastSquaresData(a, y) };
    }
}
