namespace DiffQuant.Lab;

/// <summary>
/// Writes sweep results to a directory; any I/O failure becomes a clear <see cref="DiffQuantException"/>. A result's
/// files are written to a staging folder first and moved in only when every one of them was written, so a failed
/// write (a full disk, a picture that cannot be encoded) leaves the previous outputs as they were.
/// </summary>
public static class ResultFiles
{
    /// <summary>Creates <paramref name="path"/> if needed and returns its full path.</summary>
    public static string Directory(string path) => Io(path, () => System.IO.Directory.CreateDirectory(path).FullName);

    /// <summary>{stem}.json, {stem}.md (claims and rows), {csv} (one line per run), {stem}.png and {stem}.svg.</summary>
    public static void WriteFigure3(Figure3Result result, string directory, string stem, string csv) => Staged(directory, staging =>
    {
        Text(Path.Combine(staging, stem + ".json"), ResultJson.Serialize(result));
        Text(Path.Combine(staging, stem + ".md"), Figure3Analysis.Of(result).ClaimsMarkdown + "\n" + DemoReport.Figure3Table(result));
        Text(Path.Combine(staging, csv), result.RunsCsv());
        Io(Path.Combine(directory, stem + ".png"), () => Figure3Plot.Save(result, staging, stem));
    });

    /// <summary>{stem}.json, {stem}.md (each method's best row), {stem}.png and {stem}.svg.</summary>
    public static void WriteBits(BitsResult result, string directory, string stem) => Staged(directory, staging =>
    {
        Text(Path.Combine(staging, stem + ".json"), ResultJson.Serialize(result));
        Text(Path.Combine(staging, stem + ".md"), DemoReport.BitsTable(result));
        Io(Path.Combine(directory, stem + ".png"), () => BitsPlot.Save(result, staging, stem));
    });

    /// <summary>Writes <paramref name="path"/> whole or not at all: a temporary file beside it, then a rename.</summary>
    public static void Text(string path, string text)
    {
        var temporary = path + ".partial";
        Io(path, () =>
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        });
    }

    /// <summary>
    /// Runs <paramref name="write"/> into a fresh staging folder inside <paramref name="directory"/>, then checks every
    /// destination can take its file and moves them in; the staging folder is removed either way.
    /// </summary>
    public static void Staged(string directory, Action<string> write)
    {
        var staging = Path.Combine(directory, $".staging-{Guid.NewGuid():N}");
        Io(staging, () => System.IO.Directory.CreateDirectory(staging));
        try
        {
            write(staging);
            var files = System.IO.Directory.GetFiles(staging);
            foreach (var file in files)
            {
                var destination = Path.Combine(directory, Path.GetFileName(file));
                if (System.IO.Directory.Exists(destination))
                {
                    throw new DiffQuantException($"cannot write '{destination}': a directory of that name is in the way; no output was changed.");
                }
            }

            foreach (var file in files)
            {
                var destination = Path.Combine(directory, Path.GetFileName(file));
                Io(destination, () => File.Move(file, destination, overwrite: true));
            }
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover hidden staging folder is harmless; the error that matters is the one already thrown.
            }
        }
    }

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
