using System.CommandLine;
using DiffQuant.Lab;
using DiffQuant.LinearAlgebra;
using DiffQuant.Problems;

namespace DiffQuant.Cli;

/// <summary>The options that choose a problem instance, shared by the commands that run methods.</summary>
internal sealed class ProblemOptions
{
    public Option<string> Kind { get; } = new Option<string>("--problem")
    {
        Description = "Problem family: gaussian (least squares with i.i.d. N(0,1) A and y), quadratic (diagonal, eigenvalues evenly spaced on [1, kappa]) or sparse (least squares with A = I + sparse noise, --nnz-per-row entries a row, κ about 5–15; for n up to millions).",
        DefaultValueFactory = _ => "gaussian",
    }.Checked(k =>
    {
        if (k.Trim().ToLowerInvariant() is not ("gaussian" or "quadratic" or "sparse"))
        {
            throw new DiffQuantException($"unknown problem '{k}'; choose gaussian, quadratic or sparse, or give --matrix PATH.");
        }
    });

    public Option<int> EntriesPerRow { get; } = new Option<int>("--nnz-per-row")
    {
        Description = "Non-zeros in each row of A for --problem sparse.",
        DefaultValueFactory = _ => SparseEnsemble.DefaultEntriesPerRow,
    }.Checked(OptionChecks.Positive);

    public Option<int> Rows { get; } = new Option<int>("--m")
    {
        Description = "Rows of A for the Gaussian ensemble.",
        DefaultValueFactory = _ => 1000,
    }.Checked(OptionChecks.Positive);

    public Option<int> Columns { get; } = new Option<int>("--n")
    {
        Description = "Dimension n (columns of A).",
        DefaultValueFactory = _ => 100,
    }.Checked(OptionChecks.Positive);

    public Option<double?> Kappa { get; } = CliNumbers.OptionalDouble("--kappa", "Condition number of f: rescales A's spectrum (gaussian) or sets L/mu (quadratic; default 10).")
        .Checked(k =>
        {
            if (k is { } v)
            {
                ProblemLimits.ConditionNumber(v, "the condition number");
            }
        });

    public Option<string?> Matrix { get; } = new Option<string?>("--matrix")
    {
        Description = "Matrix Market file for A (coordinate real/integer/pattern, general/symmetric); y is i.i.d. N(0,1).",
    };

    public Option<long> Seed { get; } = new Option<long>("--seed")
    {
        Description = "Seed of the instance: A, y and the initial iterate x̂_0 ~ N(0, I).",
        DefaultValueFactory = _ => 1,
    };

    public Option<string?> Rhs { get; } = new Option<string?>("--rhs")
    {
        Description = "The right-hand side y: a Matrix Market array file or one number per line (default: y ~ N(0, I) from --seed).",
    };

    public Option<string?> ShardFile { get; } = new Option<string?>("--shards")
    {
        Description = "With --workers K: one worker index (0..K−1) per row of A, one per line (default: K contiguous blocks).",
    };

    public IEnumerable<Option> All => [Kind, Rows, Columns, Kappa, EntriesPerRow, Matrix, Seed, Rhs, ShardFile];

    /// <summary>The problem split over K workers as --shards says (contiguous blocks without it).</summary>
    public Problem Split(ParseResult parse, Problem problem, int workers)
    {
        if (parse.GetValue(ShardFile) is not { } path)
        {
            return LeastSquaresShards.Split(problem, workers);
        }

        if (workers == 1)
        {
            throw new DiffQuantException("--shards needs --workers K with K ≥ 2.");
        }

        var indices = VectorFileReader.Read(path, "shard");
        var assignment = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            if (indices[i] != Math.Floor(indices[i]) || indices[i] < 0 || indices[i] >= workers)
            {
                throw new DiffQuantException($"{path}: value {i + 1} is {indices[i]}, not a worker index 0..{workers - 1}.");
            }

            assignment[i] = (int)indices[i];
        }

        return LeastSquaresShards.Split(problem, workers, assignment);
    }

    /// <summary>Refuses options that the chosen problem would silently ignore.</summary>
    private void RefuseIgnored(ParseResult parse)
    {
        var kind = parse.GetValue(Kind)?.Trim().ToLowerInvariant();
        if (parse.GetResult(EntriesPerRow) is { Implicit: false } && (kind != "sparse" || parse.GetValue(Matrix) is not null))
        {
            throw new DiffQuantException("--nnz-per-row applies to --problem sparse only.");
        }

        if (kind == "sparse" && parse.GetResult(Kappa) is { Implicit: false })
        {
            throw new DiffQuantException("--kappa does not apply to --problem sparse (its κ is set by its construction: about 5–15).");
        }

        if (parse.GetValue(Matrix) is null)
        {
            return;
        }

        foreach (var option in new Option[] { Kind, Rows, Columns, Kappa })
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                throw new DiffQuantException($"{option.Name} applies to generated problems; --matrix gives A, so drop {option.Name}.");
            }
        }
    }

    /// <summary>y from --rhs (checked against the m rows of A), else i.i.d. N(0, 1) from the seed.</summary>
    private double[] Target(ParseResult parse, int rows, long seed)
    {
        if (parse.GetValue(Rhs) is not { } path)
        {
            return GaussianSource.Vector(rows, seed, GaussianSource.Stream.Target);
        }

        var y = VectorFileReader.Read(path, "right-hand side");
        if (y.Length != rows)
        {
            throw new DiffQuantException($"--rhs {path} has {y.Length} values, but A has {rows} rows.");
        }

        return y;
    }

    /// <summary>The problem the parsed options describe, and the initial iterate for it.</summary>
    public (Problem Problem, double[] InitialIterate) Create(ParseResult parse)
    {
        RefuseIgnored(parse);
        var seed = parse.GetValue(Seed);
        var problem = Build(parse, seed);
        return (problem, GaussianSource.Vector(problem.Dimension, seed, GaussianSource.Stream.InitialPoint));
    }

    /// <summary>The instance source of a sweep: the Gaussian ensemble or a --matrix file.</summary>
    public InstanceSource CreateSource(ParseResult parse)
    {
        RefuseIgnored(parse);
        if (parse.GetValue(Rhs) is not null || parse.GetValue(ShardFile) is not null)
        {
            throw new DiffQuantException("--rhs and --shards choose one instance; sweeps draw a fresh y per instance and split into contiguous shards.");
        }

        if (parse.GetValue(Matrix) is { } path)
        {
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
            CsrMatrix a = MatrixMarketReader.Read(path);
            return LeastSquaresProblem.Create(Path.GetFileNameWithoutExtension(path), a, Target(parse, a.Rows, seed));
        }

        var n = parse.GetValue(Columns);
        var m = parse.GetValue(Rows);
        return parse.GetValue(Kind)?.ToLowerInvariant() switch
        {
            "gaussian" => GaussianEnsemble.Create(m, n, kappa, seed, parse.GetValue(Rhs) is null ? null : Target(parse, m, seed)),
            "quadratic" when parse.GetValue(Rhs) is not null => throw new DiffQuantException("--rhs gives y of a least-squares problem; the quadratic has none."),
            "quadratic" => QuadraticProblem.Create(n, 1, kappa ?? 10, seed),
            "sparse" when parse.GetValue(Rhs) is not null => throw new DiffQuantException("--rhs is not taken by --problem sparse (y ~ N(0, I) from --seed); give --matrix and --rhs for your own data."),
            "sparse" => SparseEnsemble.Create(m, n, parse.GetValue(EntriesPerRow), seed),
            var other => throw new DiffQuantException($"unknown problem '{other}'; choose gaussian, quadratic or sparse, or give --matrix PATH."),
        };
    }
}
