using System.Globalization;
using DiffQuant.LinearAlgebra;

namespace DiffQuant.Problems;

/// <summary>
/// Reads Matrix Market coordinate files (real, integer or pattern; general or symmetric) into a
/// <see cref="CsrMatrix"/>. A pattern matrix has ones where entries are listed; a symmetric file lists the
/// lower triangle (each off-diagonal entry once) and is mirrored. An entry listed twice, an entry above the
/// diagonal of a symmetric file and a size line no memory could hold are refused, since summing or ignoring
/// them would give a different matrix than the file's author meant. Errors name the file and the 1-based line
/// and echo at most 80 characters of it.
/// </summary>
public static class MatrixMarketReader
{
    /// <summary>Bytes per stored entry while reading: the triplet and the CSR copy.</summary>
    private const int BytesPerEntry = 48;

    public static CsrMatrix Read(string path) => Parse(TextFile.Lines(path, "Matrix Market file"), path);

    /// <summary>Parses the lines of a Matrix Market file; <paramref name="source"/> names it in errors.</summary>
    public static CsrMatrix Parse(IEnumerable<string> lines, string source)
    {
        using var cursor = lines.GetEnumerator();
        var line = 0;
        bool Next()
        {
            line++;
            return cursor.MoveNext();
        }

        if (!Next())
        {
            Fail(source, 1, "the file is empty; expected a '%%MatrixMarket matrix coordinate …' header.");
        }

        var first = cursor.Current;
        var header = first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (header.Length != 5 || !header[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase)
            || !header[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
        {
            Fail(source, 1, $"expected the header '%%MatrixMarket matrix coordinate <field> <symmetry>', got '{TextFile.Shorten(first)}'.");
        }

        var format = header[2].ToLowerInvariant();
        var field = header[3].ToLowerInvariant();
        var symmetry = header[4].ToLowerInvariant();
        if (format != "coordinate")
        {
            Fail(source, 1, $"format '{TextFile.Shorten(header[2])}' is not supported; only 'coordinate' is.");
        }

        if (field is not ("real" or "integer" or "pattern"))
        {
            Fail(source, 1, $"field '{TextFile.Shorten(header[3])}' is not supported; use real, integer or pattern.");
        }

        if (symmetry is not ("general" or "symmetric"))
        {
            Fail(source, 1, $"symmetry '{TextFile.Shorten(header[4])}' is not supported; use general or symmetric.");
        }

        var symmetric = symmetry == "symmetric";
        bool found;
        while ((found = Next()) && IsComment(cursor.Current))
        {
        }

        if (!found)
        {
            Fail(source, line, "missing the size line 'rows columns entries'.");
        }

        var size = Fields(cursor.Current, source, line, 3);
        var rows = ParseDimension(size[0], source, line, "rows");
        var columns = ParseDimension(size[1], source, line, "columns");
        var count = ParseCount(size[2], source, line, "entries");
        if (symmetric && rows != columns)
        {
            Fail(source, line, $"a symmetric matrix must be square, but the size line declares {rows} × {columns}.");
        }

        var cells = symmetric ? (long)rows * (rows + 1) / 2 : (long)rows * columns;
        if (count > cells)
        {
            Fail(source, line, $"the size line declares {count:N0} entries, more than the {cells:N0} cells {(symmetric ? "in the lower triangle of" : "of")} a {rows} × {columns} matrix.");
        }

        ProblemLimits.Entries(symmetric ? 2 * count : count, $"the matrix of '{source}'");
        ProblemLimits.Memory((double)BytesPerEntry * (symmetric ? 2 * count : count), $"reading the {count:N0} entries of '{source}'");
        var expectedFields = field == "pattern" ? 2 : 3;
        var entries = new List<(int, int, double)>((int)Math.Min(symmetric ? 2 * count : count, 1 << 20));
        var firstLineOf = new Dictionary<long, int>((int)Math.Min(count, 1 << 20));
        long seen = 0;
        while (Next())
        {
            var text = cursor.Current;
            if (IsComment(text))
            {
                continue;
            }

            if (seen == count)
            {
                Fail(source, line, $"more entries than the {count} the size line declares.");
            }

            var parts = Fields(text, source, line, expectedFields);
            var i = ParseIndex(parts[0], source, line, "row index") - 1;
            var j = ParseIndex(parts[1], source, line, "column index") - 1;
            if (i < 0 || i >= rows || j < 0 || j >= columns)
            {
                Fail(source, line, $"entry ({i + 1}, {j + 1}) lies outside the declared {rows} × {columns} matrix (indices are 1-based).");
            }

            if (symmetric && i < j)
            {
                Fail(source, line, $"entry ({i + 1}, {j + 1}) lies above the diagonal; a symmetric file lists the lower triangle only, each off-diagonal entry once (list both triangles under 'general').");
            }

            if (!firstLineOf.TryAdd(((long)i * columns) + j, line))
            {
                Fail(source, line, $"entry ({i + 1}, {j + 1}) is listed again (first on line {firstLineOf[((long)i * columns) + j]}); list each entry once.");
            }

            var value = 1.0;
            if (field != "pattern" && (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value)))
            {
                Fail(source, line, $"'{TextFile.Shorten(parts[2])}' is not a finite number.");
            }

            entries.Add((i, j, value));
            if (symmetric && i != j)
            {
                entries.Add((j, i, value));
            }

            seen++;
        }

        if (seen != count)
        {
            Fail(source, line - 1, $"the size line declares {count} entries but the file has {seen}.");
        }

        return CsrMatrix.FromTriplets(rows, columns, entries);
    }

    private static bool IsComment(string line) => string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('%');

    private static string[] Fields(string text, string source, int line, int expected)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != expected)
        {
            Fail(source, line, $"expected {expected} fields, got {parts.Length}: '{TextFile.Shorten(text)}'.");
        }

        return parts;
    }

    private static long ParseCount(string text, string source, int line, string what)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            Fail(source, line, $"the {what} '{TextFile.Shorten(text)}' is not a non-negative integer.");
        }

        return value;
    }

    private static int ParseDimension(string text, string source, int line, string what)
    {
        var value = ParseCount(text, source, line, what);
        if (value > int.MaxValue)
        {
            Fail(source, line, $"the {what} {value:N0} exceed {int.MaxValue:N0}, the largest dimension dq supports.");
        }

        return (int)value;
    }

    private static int ParseIndex(string text, string source, int line, string what)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Fail(source, line, $"the {what} '{TextFile.Shorten(text)}' is not an integer.");
        }

        return value;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string source, int line, string message) =>
        Guard.Throw($"{source}:{line}: {message}");
}
