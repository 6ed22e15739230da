namespace DiffQuant.Lab;

/// <summary>Writes sweep results to a directory; any I/O failure becomes a clear <see cref="DiffQuantException"/>.</summary>
public static class ResultFiles
{
    /// <summary>Creates <paramref name="path"/> if needed and returns its full path.</summary>
    public static string Directory(string path) => Io(path, () => System.IO.Directory.CreateDirectory(path).FullName);

    /// <summary>{stem}.json, {stem}.md (claims and rows), {csv} (one line per run), {stem}.png and {stem}.svg.</summary>
    public static void WriteFigure3(Figure3Result result, string directory, string stem, string csv)
    {
        Text(Path.Combine(directory, stem + ".json"), ResultJson.Serialize(result));
        Text(Path.Combine(directory, stem + ".md"), Figure3Analysis.Of(result).ClaimsMarkdown + "\n" + DemoReport.Figure3Table(result));
        Text(Path.Combine(directory, csv), result.RunsCsv());
        Io(directory, () => Figure3Plot.Save(result, directory, stem));
    }

    /// <summary>{stem}.json, {stem}.md (each method's best row), {stem}.png and {stem}.svg.</summary>
    public static void WriteBits(BitsResult result, string directory, string stem)
    {
        Text(Path.Combine(directory, stem + ".json"), ResultJson.Serialize(result));
        Text(Path.Combine(directory, stem + ".md"), DemoReport.BitsTable(result));
        Io(directory, () => BitsPlot.Save(result, directory, stem));
    }

    public static void Text(string path, string text) => Io(path, () => File.WriteAllText(path, text));

    private static void Io(string path, Action action) => Io(path, () =>
    {
        action();
        return 0;
    });

    private static T Io<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot write '{path}': {e.Message}", e);
        }
    }
}
