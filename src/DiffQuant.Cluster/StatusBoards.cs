namespace DiffQuant.Cluster;

/// <summary>
/// The runs one status page shows: a silo's, whose server grains each post a board here (the newest
/// <see cref="Kept"/> runs stay readable after they finish), or an in-process run's single board.
/// </summary>
public sealed class StatusBoards
{
    /// <summary>Runs a silo keeps on its page (the oldest is dropped first).</summary>
    public const int Kept = 16;

    private readonly Lock _gate = new();
    private readonly List<StatusBoard> _boards = [];

    public StatusBoards()
    {
    }

    public StatusBoards(StatusBoard board) => Post(board);

    /// <summary>Where the page is served (null until its server has started, and on a silo without one).</summary>
    public Uri? Page { get; internal set; }

    /// <summary>Shows <paramref name="board"/> as the newest run, replacing a board of the same run's name.</summary>
    public void Post(StatusBoard board)
    {
        lock (_gate)
        {
            _boards.RemoveAll(b => b.Run == board.Run);
            _boards.Add(board);
            if (_boards.Count > Kept)
            {
                _boards.RemoveAt(0);
            }
        }
    }

    /// <summary>The named run's status, or the newest run's without a name; null when there is no such run.</summary>
    public RunStatus? Read(string? run)
    {
        StatusBoard? board;
        lock (_gate)
        {
            board = string.IsNullOrEmpty(run) ? (_boards.Count > 0 ? _boards[^1] : null) : _boards.Find(b => b.Run == run);
        }

        return board?.Read();
    }

    /// <summary>The names of the runs shown, newest first.</summary>
    public IReadOnlyList<string> Runs()
    {
        lock (_gate)
        {
            return [.. Enumerable.Reverse(_boards).Select(b => b.Run)];
        }
    }
}
