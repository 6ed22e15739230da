namespace DiffQuant.Problems;

/// <summary>Streams the lines of a text file with read errors as clear errors, and cuts lines for echoing.</summary>
internal static class TextFile
{
    private const int EchoLength = 80;

    /// <summary>The lines of <paramref name="path"/>, read one at a time; <paramref name="what"/> names the file in errors.</summary>
    public static IEnumerable<string> Lines(string path, string what)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot read {what} '{path}': {e.Message}", e);
        }

        return Enumerate(reader, path, what);
    }

    /// <summary>A line cut to 80 characters, so a huge line is never echoed whole.</summary>
    public static string Shorten(string text) => text.Length <= EchoLength ? text : string.Concat(text.AsSpan(0, EchoLength - 3), "…");

    private static IEnumerable<string> Enumerate(StreamReader reader, string path, string what)
    {
        using (reader)
        {
            while (true)
            {
                string? line;
                try
                {
                    line = reader.ReadLine();
                }
                catch (IOException e)
                {
                    throw new DiffQuantException($"cannot read {what} '{path}': {e.Message}", e);
                }

                if (line is null)
                {
                    yield break;
                }

                yield return line;
            }
        }
    }
}
