namespace DiffQuant.Cluster;

/// <summary>
/// What the worker grains of the latest run on this silo share, built once: eight workers of Fashion-MNIST on one
/// machine otherwise load and shuffle 188 MB eight times, and eight workers of a 10⁶-unknown sparse problem would
/// each generate it and estimate its spectrum. One entry; another run's key replaces it; a failed build is retried.
/// </summary>
public sealed class LatestCache<T>
{
    private readonly Lock _gate = new();
    private (string Key, Task<T> Build)? _latest;

    /// <summary>The value for <paramref name="key"/>, built by <paramref name="build"/> if the latest entry has another key.</summary>
    public T Get(string key, Func<T> build)
    {
        Task<T> task;
        lock (_gate)
        {
            if (_latest is not { } latest || latest.Key != key || latest.Build.IsFaulted)
            {
                _latest = (key, Task.Run(build));
            }

            task = _latest.Value.Build;
        }

        return task.GetAwaiter().GetResult();
    }
}
