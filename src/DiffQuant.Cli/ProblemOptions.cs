using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.LinearAlgebra;
using DiffQuant.Problems;

namespace DiffQuant.Cli;

/// <summary>The options that choose a problem instance, shared by the commands that run methods.</summary>
internal sealed class ProblemOptions
{
    public Option<string> Kind { get; } = new("--problem")
    {
        Description = "Problem family: gaussian (least squares with i.i.d. N(0,1) A and y) or quadratic (diagonal, eigenvalues evenly spaced on [1, kappa]).",
        DefaultValueFactory = _ => "gaussian",
    };

    public Option<int> Rows { get; } = new("--m")
    {
        Description = "Rows of A for the Gaussian ensemble.",
        DefaultValueFactory = _ => 1000,
    };

    public Option<int> Columns { get; } = new("--n")
    {
        Description = "Dimension n (columns of A).",
        DefaultValueFactory = _ => 100,
    };

    public Option<double?> Kappa { get; } = new("--kappa")
    {
        Description = "Condition number of f: rescales A's spectrum (gaussian) or sets L/mu (quadratic; default 10).",
    };

    public Option<string?> Matrix { get; } = new("--matrix")
    {
        Description = "Matrix Market file for A (coordinate real/integer/pattern, general/symmetric); y is i.i.d. N(0,1).",
    };

    public Option<long> Seed { get; } = new("--seed")
    {
        Description = "Seed of the instance: A, y and the initial iterate x̂_0 ~ N(0, I).",
        DefaultValueFactory = _ => 1,
    };

    public IEnumerable<Option> All => [Kind, Rows, Columns, Kappa, Matrix, Seed];

    /// <summary>The problem the parsed options describe, and the initial iterate for it.</summary>
    public (Problem Problem, double[] InitialIterate) Create(ParseResult parse)
    {
        var seed = parse.GetValue(Seed);
        var problem = Build(parse, seed);
        return (problem, GaussianSource.Vector(problem.Dimension, seed, GaussianSource.Stream.InitialPoint));
    }

    /// <summary>The instance source of a sweep: the Gaussian ensemble or a --matrix file.</summary>
    public InstanceSource CreateSource(ParseResult parse)
    {
        if (parse.GetValue(Matrix) is { } path)
        {
            if (parse.GetValue(Kappa) is not null)
            {
                throw new DiffQuantException("--kappa applies to generated problems, not to --matrix files.");
            }

            return InstanceSource.Matrix(path);
        }

        if (!string.Equals(parse.GetValue(Kind), "gaussian", StringComparison.OrdinalIgnoreCase))
        {
            throw new DiffQuantException($"sweeps run on the Gaussian ensemble or a --matrix file, not on '{parse.GetValue(Kind)}'.");
        }

        return InstanceSource.Gaussian(parse.GetValue(Rows), parse.GetValue(Columns), parse.GetValue(Kappa));
    }

    private Problem Build(ParseResult parse, long seed)
    {
        var kappa = parse.GetValue(Kappa);
        if (parse.GetValue(Matrix) is { } path)
        {
            if (kappa is not null)
            {
                throw new DiffQuantException("--kappa applies to generated problems, not to --matrix files.");
            }

            CsrMatrix a = MatrixMarketReader.Read(path);
            var y = GaussianSource.Vector(a.Rows, seed, GaussianSource.Stream.Target);
            return LeastSquaresProblem.Create(Path.GetFileNameWithoutExtension(path), a, y);
        }

        var n = parse.GetValue(Columns);
        return parse.GetValue(Kind)?.ToLowerInvariant() switch
        {
            "gaussian" => GaussianEnsemble.Create(parse.GetValue(Rows), n, kappa, seed),
            "quadratic" => QuadraticProblem.Create(n, 1, kappa ?? 10, seed),
            var other => throw new DiffQuantException($"unknown problem '{other}'; choose gaussian or quadratic, or give --matrix PATH."),
        };
    }
}
