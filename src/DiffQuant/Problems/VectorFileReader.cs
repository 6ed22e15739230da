using System.Globalization;

namespace DiffQuant.Problems;

/// <summary>
/// Reads a vector from a Matrix Market array file ("%%MatrixMarket matrix array real general", a size line
/// "m 1", then m values) or from plain text with one number per line (blank lines and lines starting with %
/// or # are skipped). Numbers use the invariant culture without group separators; errors name file and line.
/// </summary>
public static class VectorFileReader
{
    public static double[] Read(string path, string what)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot read {what} file '{path}': {e.Message}", e);
        }

        var values = new List<double>();
        int? declared = null;
        for (var index = 0; index < lines.Length; index++)
        {
            var text = lines[index].Trim();
            var line = index + 1;
            if (index == 0 && text.StartsWith("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
            {
                var header = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (header.Length != 5 || !header[2].Equals("array", StringComparison.OrdinalIgnoreCase) || header[3].Equals("complex", StringComparison.OrdinalIgnoreCase))
                {
                    Fail(path, line, $"expected '%%MatrixMarket matrix array real general' for a vector, got '{TextFile.Shorten(text)}'.");
                }

                declared = -1;
                continue;
            }

            if (text.Length == 0 || text.StartsWith('%') || text.StartsWith('#'))
            {
                continue;
            }

            if (declared == -1)
            {
                var size = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                var rows = size.Length == 2 && size[1] == "1" && int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : -1;
                if (rows < 0)
                {
                    Fail(path, line, $"expected the size line 'm 1' of a column vector, got '{TextFile.Shorten(text)}'.");
                }

                declared = rows;
                continue;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                Fail(path, line, $"'{TextFile.Shorten(text)}' is not a finite number (one number per line; no thousands separators).");
            }

            values.Add(value);
        }

        if (declared is { } count and >= 0 && count != values.Count)
        {
            Fail(path, lines.Length, $"the size line declares {count} values but the file has {values.Count}.");
        }

        if (values.Count == 0)
        {
            Fail(path, Math.Max(1, lines.Length), $"no values: the {what} file is empty.");
        }

        return [.. values];
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string path, int line, string message) => Guard.Throw($"{path}:{line}: {message}");
}
