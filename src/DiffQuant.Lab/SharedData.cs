namespace DiffQuant.Lab;

/// <summary>Finds the project's data files: data/ of the repository (where ash958.mtx ships), else a shared/data folder above it.</summary>
public static class SharedData
{
    /// <summary>
    /// data/<paramref name="file"/> or shared/data/<paramref name="file"/> in the working directory or any folder
    /// above it, else above the running binaries; null when there is none.
    /// </summary>
    public static string? Find(string file)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", file), Path.Combine(dir.FullName, "shared", "data", file) })
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }

        return null;
    }
}
