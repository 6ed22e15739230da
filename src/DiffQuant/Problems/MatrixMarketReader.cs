using System.Globalization;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Problems;

/// <summary>
/// Reads Matrix Market coordinate files (real, integer or pattern; general or symmetric) into a
/// <see cref="CsrMatrix"/>. A pattern matrix has ones where entries are listed; a symmetric file
/// lists the lower triangle and is mirrored. Errors name the file and line.
/// </summary>
public static class MatrixMarketReader
{
    public static CsrMatrix Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot read Matrix Market file '{path}': {e.Message}", e);
        }

        return Parse(lines, path);
    }

    /// <summary>Parses the lines of a Matrix Market file; <paramref name="source"/> names it in errors.</summary>
    public static CsrMatrix Parse(IReadOnlyList<string> lines, string source)
    {
        if (lines.Count == 0)
        {
            Fail(source, 1, "the file is empty; expected a '%%MatrixMarket matrix coordinate …' header.");
        }

        var header = lines[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (header.Length != 5 || !header[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase)
            || !header[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
        {
            Fail(source, 1, $"expected the header '%%MatrixMarket matrix coordinate <field> <symmetry>', got '{lines[0]}'.");
        }

        var format = header[2].ToLowerInvariant();
        var field = header[3].ToLowerInvariant();
        var symmetry = header[4].ToLowerInvariant();
        if (format != "coordinate")
        {
            Fail(source, 1, $"format '{header[2]}' is not supported; only 'coordinate' is.");
        }

        if (field is not ("real" or "integer" or "pattern"))
        {
            Fail(source, 1, $"field '{header[3]}' is not supported; use real, integer or pattern.");
        }

        if (symmetry is not ("general" or "symmetric"))
        {
            Fail(source, 1, $"symmetry '{header[4]}' is not supported; use general or symmetric.");
        }

        var index = 1;
        while (index < lines.Count && IsComment(lines[index]))
        {
            index++;
        }

        if (index == lines.Count)
        {
            Fail(source, index + 1, "missing the size line 'rows columns entries'.");
        }

        var size = Fields(lines[index], source, index + 1, 3);
        var rows = ParseCount(size[0], source, index + 1, "rows");
        var columns = ParseCount(size[1], source, index + 1, "columns");
        var count = ParseCount(size[2], source, index + 1, "entries");
        var expectedFields = field == "pattern" ? 2 : 3;
        var entries = new List<(int, int, double)>(symmetry == "symmetric" ? 2 * count : count);
        var seen = 0;
        for (index++; index < lines.Count; index++)
        {
            if (IsComment(lines[index]))
            {
                continue;
            }

            var line = index + 1;
            if (seen == count)
            {
                Fail(source, line, $"more entries than the {count} the size line declares.");
            }

            var parts = Fields(lines[index], source, line, expectedFields);
            var i = ParseCount(parts[0], source, line, "row index") - 1;
            var j = ParseCount(parts[1], source, line, "column index") - 1;
            if (i < 0 || i >= rows || j < 0 || j >= columns)
            {
                Fail(source, line, $"entry ({i + 1}, {j + 1}) lies outside the declared {rows} × {columns} matrix (indices are 1-based).");
            }

            var value = 1.0;
            if (field != "pattern" && (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value)))
            {
                Fail(source, line, $"'{parts[2]}' is not a finite number.");
            }

            entries.Add((i, j, value));
            if (symmetry == "symmetric" && i != j)
            {
                entries.Add((j, i, value));
            }

            seen++;
        }

        if (seen != count)
        {
            Fail(source, lines.Count, $"the size line declares {count} entries but the file has {seen}.");
        }

        return CsrMatrix.FromTriplets(rows, columns, entries);
    }

    private static bool IsComment(string line) => line.Length == 0 || line.TrimStart().StartsWith('%') || string.IsNullOrWhiteSpace(line);

    private static string[] Fields(string text, string source, int line, int expected)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != expected)
        {
            Fail(source, line, $"expected {expected} fields, got {parts.Length}: '{text}'.");
        }

        return parts;
    }

    private static int ParseCount(string text, string source, int line, string what)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            Fail(source, line, $"the {what} '{text}' is not a non-negative integer.");
        }

        return value;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string source, int line, string message) =>
        Guard.Throw($"{source}:{line}: {message}");
}
