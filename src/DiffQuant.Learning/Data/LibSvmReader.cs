using System.Globalization;

namespace DiffQuant.Learning.Data;

/// <summary>
/// Reads LIBSVM text files: one sample a line, "label index:value index:value …" with 1-based increasing indices.
/// Labels are integers; they are mapped to classes 0..C−1 in increasing order. Errors name the file and line.
/// </summary>
public static class LibSvmReader
{
    /// <param name="features">The number of features, or null to take the largest index seen.</param>
    public static Dataset Read(string path, int? features = null, string? name = null)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot read LIBSVM file '{path}': {e.Message}", e);
        }

        var rows = new List<(int Label, List<(int Index, float Value)> Entries)>();
        var largest = 0;
        for (var n = 0; n < lines.Length; n++)
        {
            var text = lines[n].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var labelValue) || labelValue != Math.Round(labelValue) || Math.Abs(labelValue) > int.MaxValue)
            {
                Fail(path, n + 1, $"the label '{Shorten(parts[0])}' is not an integer.");
            }

            var entries = new List<(int, float)>(parts.Length - 1);
            var previous = 0;
            for (var p = 1; p < parts.Length; p++)
            {
                var colon = parts[p].IndexOf(':');
                var index = 0;
                var value = 0f;
                if (colon <= 0
                    || !int.TryParse(parts[p].AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out index)
                    || !float.TryParse(parts[p].AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                    || !float.IsFinite(value))
                {
                    Fail(path, n + 1, $"'{Shorten(parts[p])}' is not 'index:value' with a positive integer index and a finite value.");
                }

                if (index < 1)
                {
                    Fail(path, n + 1, $"index {index} is not a positive integer index; LIBSVM indices are 1-based.");
                }

                if (index <= previous)
                {
                    Fail(path, n + 1, $"index {index} does not increase (after {previous}); LIBSVM indices are 1-based and increasing.");
                }

                previous = index;
                entries.Add((index, value));
            }

            largest = Math.Max(largest, previous);
            rows.Add(((int)labelValue, entries));
        }

        if (rows.Count == 0)
        {
            Guard.Throw($"LIBSVM file '{path}' holds no samples.");
        }

        var d = features ?? largest;
        if (largest > d)
        {
            Guard.Throw($"LIBSVM file '{path}' uses feature {largest}, beyond the {d} features given.");
        }

        var classes = rows.Select(r => r.Label).Distinct().Order().ToList();
        var classOf = classes.Select((label, k) => (label, k)).ToDictionary(t => t.label, t => t.k);
        var x = new float[(long)rows.Count * d];
        var labels = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            labels[i] = classOf[rows[i].Label];
            foreach (var (index, value) in rows[i].Entries)
            {
                x[((long)i * d) + index - 1] = value;
            }
        }

        return new Dataset(name ?? Path.GetFileNameWithoutExtension(path), x, labels, d, Math.Max(2, classes.Count));
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "…");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string path, int line, string message) => Guard.Throw($"{path}:{line}: {message}");
}
