namespace DiffQuant.Lab;

/// <summary>Summary statistics of a sample.</summary>
internal static class Statistics
{
    public static double Mean(IReadOnlyCollection<double> values) => values.Count == 0 ? double.NaN : values.Sum() / values.Count;

    /// <summary>The sample standard deviation (n − 1 in the denominator); 0 for fewer than two values.</summary>
    public static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
