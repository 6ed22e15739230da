using System.Text.Json;

namespace DiffQuant.Lab;

/// <summary>
/// Reads the arrival order a live asynchronous run recorded: the <c>arrivals</c> array of its train.json (what
/// `dq train --arrivals FILE` replays).
/// </summary>
public static class RecordedArrivals
{
    /// <summary>The worker of each arrival, checked against <paramref name="workers"/>; a clear error naming the file otherwise.</summary>
    public static int[] Read(string path, int workers)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DiffQuantException($"--arrivals: cannot read '{path}' ({e.Message}); give simulated, live, or the train.json of a run with --arrivals live.");
        }

        JsonElement arrivals;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("arrivals", out arrivals) || arrivals.ValueKind != JsonValueKind.Array)
            {
                throw new DiffQuantException($"--arrivals: '{path}' records no arrival order (the train.json of a run with --arrivals live has an \"arrivals\" array).");
            }

            arrivals = arrivals.Clone();
        }
        catch (JsonException e)
        {
            throw new DiffQuantException($"--arrivals: '{path}' is not JSON (line {(e.LineNumber ?? 0) + 1}): {e.Message}");
        }

        var order = new int[arrivals.GetArrayLength()];
        var i = 0;
        foreach (var item in arrivals.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var k) || (uint)k >= (uint)workers)
            {
                throw new DiffQuantException($"--arrivals: arrival {i} of '{path}' is {item.GetRawText()}, not a worker index in 0..{workers - 1} (--workers {workers}).");
            }

            order[i++] = k;
        }

        return order;
    }
}
