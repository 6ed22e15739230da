namespace DiffQuant.Problems;

/// <summary>
/// The sizes and conditioning dq accepts, checked before any large allocation so that bad sizes fail at once
/// with the memory they would need, not minutes later with an overflow or an out-of-memory error.
/// </summary>
public static class ProblemLimits
{
    /// <summary>κ = L/μ above this is treated as singular (μ ≤ L/10¹² is rounding noise in binary64 Gram matrices).</summary>
    public const double MaxConditionNumber = 1e12;

    /// <summary>
    /// Least squares with more unknowns than this get L and μ from Lanczos and x* from CGLS instead of a dense
    /// factorization of AᵀA (48n² bytes and n³ work: 200 MB and seconds at this size).
    /// </summary>
    public const int LargestDenseGram = 2048;

    /// <summary>Bytes per unknown of a run on a diagonal quadratic: about 25 vectors of n doubles (objective, worker, server, referee).</summary>
    private const int QuadraticBytesPerUnknown = 200;

    /// <summary>Bytes this process may use: the GC's view of physical or container memory.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Refuses κ outside [1, <see cref="MaxConditionNumber"/>], naming <paramref name="option"/>.</summary>
    public static void ConditionNumber(double kappa, string option = "--kappa")
    {
        if (!(kappa >= 1) || !double.IsFinite(kappa))
        {
            Guard.Throw($"{option} must be a finite number ≥ 1, got {kappa}.");
        }

        if (kappa > MaxConditionNumber)
        {
            Guard.Throw($"{option} {kappa:G4} exceeds {MaxConditionNumber:0e0}, the largest condition number dq accepts: beyond it μ is below the rounding noise of L in binary64.");
        }
    }

    /// <summary>Refuses an A (m × n) that cannot have full column rank: no columns, or fewer rows than columns.</summary>
    public static void FullColumnRankPossible(string name, int m, int n)
    {
        if (n == 0)
        {
            Guard.Throw($"problem '{name}' has no unknowns (A has 0 columns).");
        }

        if (m < n)
        {
            Guard.Throw($"problem '{name}' is singular: A is {m} × {n}, fewer rows than columns, so μ = 0.");
        }
    }

    /// <summary>Refuses a problem whose μ is rounding noise of its L (A without full column rank).</summary>
    public static void Nonsingular(string name, double mu, double l)
    {
        if (!(mu * MaxConditionNumber > l))
        {
            Guard.Throw($"problem '{name}' is singular: μ = σ_min(A)² = {mu:G4} against L = {l:G4} (κ above {MaxConditionNumber:0e0}); a strongly convex problem needs A of full column rank.");
        }
    }

    /// <summary>A dense m × n A with i.i.d. entries: m·n array entries, 16mn bytes with its transpose, 48n² for G and its factorizations.</summary>
    public static void DenseLeastSquares(long m, long n)
    {
        if (m <= 0 || n <= 0)
        {
            Guard.Throw($"--m and --n must be positive, got m = {m}, n = {n}.");
        }

        if (m < n)
        {
            Guard.Throw($"--m {m} is below --n {n}: A needs at least as many rows as columns for a strongly convex problem (else μ = 0).");
        }

        Entries(m * n, $"A (--m {m} × --n {n})");
        Memory((16.0 * m * n) + (48.0 * n * n), $"a dense {m} × {n} least-squares problem");
    }

    /// <summary>G = AᵀA is factored densely (L, μ and x*): n² array entries and about 48n² bytes.</summary>
    public static void DenseFactorization(long n, string name)
    {
        Entries(n * n, $"the {n} × {n} Gram matrix of problem '{name}'");
        Memory(48.0 * n * n, $"factoring the {n} × {n} Gram matrix of problem '{name}' (L, μ and x* come from it)");
    }

    /// <summary>A run on a diagonal quadratic with n unknowns.</summary>
    public static void Quadratic(long n)
    {
        if (n <= 0)
        {
            Guard.Throw($"--n must be positive, got {n}.");
        }

        Entries(n, $"a vector of --n {n} unknowns");
        Memory((double)QuadraticBytesPerUnknown * n, $"a run with --n {n} unknowns");
    }

    /// <summary>Refuses an array of more entries than .NET holds.</summary>
    public static void Entries(long entries, string what)
    {
        if (entries > Array.MaxLength)
        {
            Guard.Throw($"{what} has {entries:N0} entries, more than the {Array.MaxLength:N0} an array can hold.");
        }
    }

    /// <summary>Refuses work that needs more memory than this process has.</summary>
    public static void Memory(double bytes, string what)
    {
        var available = AvailableBytes;
        if (bytes > available)
        {
            Guard.Throw($"{what} needs about {bytes / 1e9:F1} GB, more than the {available / 1e9:F1} GB available here.");
        }
    }
}
