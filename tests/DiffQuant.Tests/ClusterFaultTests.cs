using System.Diagnostics;
using System.Text.Json;
using DiffQuant.Cluster;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Tests;

/// <summary>
/// Faults with real processes: silos killed with SIGKILL mid-run, the server's process killed and restarted, and
/// checkpoints that are torn or belong to another run. Every wait is on an event (a progress callback, an output line,
/// a process exit) bounded by a timeout; none sleeps.
/// </summary>
[Collection(RealProcesses.Name)]
public class ClusterFaultTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private static string Cli => typeof(DiffQuant.Cli.CliApp).Assembly.Location;

    /// <summary>
    /// Three silo processes: the primary (kept free of grains while others exist), the server's, and the workers'. After
    /// update 12 the test kills the workers' silo with SIGKILL: the server notices at its next round, re-places the
    /// workers on the primary (the lost shards reload there, the error memories come back from the checkpoint of update
    /// 10), and the run ends exactly as the uninterrupted in-process run: same curve, bits and loss, with updates 11 and
    /// 12 made twice. Orleans' grain directory is spread over the silos, so the dead silo may also have held the
    /// server's entry: Orleans then deactivates the server as well, and a new server takes over from the same
    /// checkpoint; either way the result is the uninterrupted run's.
    /// </summary>
    [Fact]
    public async Task A_worker_silo_killed_mid_run_is_survived_with_the_uninterrupted_result()
    {
        var (result, expected, events, _) = await KillAfterUpdate12((server, workers) =>
        {
            Assert.NotEqual(server, workers[1]);
            return workers[1];
        });
        Assert.True(result.Recoveries + result.ServerRecoveries >= 1 && result.StepsRedone >= 2, $"{result.Recoveries} worker and {result.ServerRecoveries} server recoveries, {result.StepsRedone} updates redone");
        Assert.True(result.ServerRecoveries == 1 || result.UplinkBitsDiscarded > 0, "a server that survives reports the rolled-back updates' bits");
        AssertSameRun(expected, result);
        Assert.Contains("from the checkpoint of update 10", events);
    }

    /// <summary>
    /// As above, but the silo killed holds the server: the submitting process notices, starts a new server grain on the
    /// surviving silo from the checkpoint of update 10 that the old one returned, which re-places every worker and ends
    /// exactly as the uninterrupted run: no update applied twice. The status page moves with the server: the new
    /// server's silo serves the whole run (the curve before the checkpoint came with it), as JSON and drawn in Chromium.
    /// </summary>
    [Fact]
    public async Task The_servers_silo_killed_mid_run_is_survived_with_the_uninterrupted_result()
    {
        var (result, expected, events, page) = await KillAfterUpdate12((server, workers) => server);
        Assert.Equal(1, result.ServerRecoveries);
        AssertSameRun(expected, result);
        var pages = System.Text.RegularExpressions.Regex.Matches(events, "status page at (\\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, pages.Distinct().Count());
        Assert.Equal(result.Curve.Count, page.Status.GetProperty("curve").GetArrayLength());
        Assert.Equal(result.Curve[^1].TestAccuracy, page.Status.GetProperty("curve")[result.Curve.Count - 1].GetProperty("test_accuracy").GetDouble());
        Assert.Equal(page.Status.GetProperty("steps").GetInt32(), page.Status.GetProperty("step").GetInt32());
        Assert.Contains($"ef-topk-sign softmax: update {result.Steps} of {result.Steps}", page.Dom);
        Assert.Contains("starting a new server from the checkpoint of update 10", events);
    }

    /// <summary>
    /// `dq run` on three silo processes with the server's silo or the workers' silo killed (SIGKILL) mid-run: the
    /// submitting process notices (the server's silo declared dead, or the server failing with a lost worker), starts a
    /// new server off the dead silo from the last checkpoint it heard (the session's state with the workers', and the
    /// errors so far), which places the workers afresh; the report is the uninterrupted in-process run's: iterations,
    /// bits both ways, final error and the rate over the whole run. (κ = 300 keeps the run converging for all its 3000
    /// rounds, a few seconds on the silos, so the server is still at work when the progress of round 25 reaches this
    /// process and the kill lands.)
    /// </summary>
    [Theory]
    [InlineData("server")]
    [InlineData("workers")]
    public async Task Dq_run_survives_a_silo_killed_mid_run_with_the_uninterrupted_result(string victim)
    {
        string[] arguments = ["--method", "dq-gd", "--rate", "8", "--workers", "2", "--m", "4000", "--n", "400", "--kappa", "300", "--iterations", "3000"];
        var (exit, local, error) = TestData.Dq(["run", .. arguments, "--json"]);
        Assert.True(exit == 0, error);
        using var expected = JsonDocument.Parse(local);
        await using var cluster = await LocalCluster.Start(3, "dotnet", [Cli, "silo"], Limit);
        var (server, killed) = (string.Empty, false);
        using var log = new StringWriter();
        var events = TextWriter.Synchronized(log);
        var answer = await Task.Run(() => ClusterRunner.Run(cluster.Grains, $"killed-{victim}", cluster.PrimarySiloPort, arguments, new RecoveryOptions { CheckpointEvery = 20 }, (t, _) =>
        {
            if (t >= 25 && !killed)
            {
                killed = true;

                // The primary (silo 0) holds no grains while others live; the server's silo holds no workers.
                var serverSilo = cluster.IndexOf(SiloAddress.FromParsableString(server).Endpoint.Port);
                cluster.Kill(victim == "server" ? serverSilo : 3 - serverSilo).WaitAsync(Limit).GetAwaiter().GetResult();
            }
        }, events, s => server = s)).WaitAsync(Limit);

        Assert.True(killed);
        Assert.True(answer.ServerRecoveries == 1, log.ToString());
        Assert.Contains(victim == "server" ? "the server's silo" : "was lost", log.ToString());
        Assert.Contains("starting a new server from the checkpoint of iteration", log.ToString());
        using var report = JsonDocument.Parse(answer.Report);
        foreach (var field in new[] { "iterations", "bits_total", "downlink_bits_total", "framing_bits_total", "relative_error", "empirical_rate", "overloads" })
        {
            Assert.Equal(expected.RootElement.GetProperty(field).ToString(), report.RootElement.GetProperty(field).ToString());
        }
    }

    /// <summary>
    /// A run of 4 workers on three silo processes (each serving a status page with a token), with the silo
    /// <paramref name="victim"/> picks killed after update 12; with the status JSON of the page last announced and
    /// that page as headless Chromium draws it, read once the run has ended.
    /// </summary>
    private static async Task<(TrainResult Result, TrainResult Expected, string Events, (JsonElement Status, string Dom) Page)> KillAfterUpdate12(Func<string, IReadOnlyDictionary<int, string>, string> victim)
    {
        const string token = "fault-token";
        var options = new TrainOptions { Method = "ef-topk-sign", Workers = 4, Epochs = 2, Batch = 16, Fraction = 0.2, EvaluationsPerEpoch = 2 };
        var expected = Trainer.Run(DataSpec.Load(ClusterTests.Spec, options.Seed), options);
        await using var cluster = await LocalCluster.Start(3, "dotnet", [Cli, "silo"], Limit, new StatusPageSettings(0, token));
        var (server, workers, killed) = (string.Empty, (IReadOnlyDictionary<int, string>)new Dictionary<int, string>(), false);
        using var log = new StringWriter();
        var events = TextWriter.Synchronized(log);
        var run = ClusterTrainer.Run(cluster.Grains, "killed", cluster.PrimarySiloPort, ClusterTests.Spec, options, new RecoveryOptions { CheckpointEvery = 5 }, null, p =>
        {
            if (p.Step == 12 && !killed)
            {
                killed = true;
                var port = SiloAddress.FromParsableString(victim(server, workers)).Endpoint.Port;
                cluster.Kill(cluster.IndexOf(port)).WaitAsync(Limit).GetAwaiter().GetResult();
            }
        }, events, (s, w) => (server, workers) = (s, w), reportEvery: 1);
        TrainResult result;
        try
        {
            result = await run;
        }
        catch (DiffQuantException e)
        {
            throw new DiffQuantException($"{e.Message}\nwhat the run said:\n{log}", e);
        }

        Assert.True(killed);
        var page = new Uri(System.Text.RegularExpressions.Regex.Matches(log.ToString(), "status page at (\\S+)")[^1].Groups[1].Value);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(page, $"status{page.Query}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.SendAsync(request);
        var status = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        var dom = await StatusPageTests.Chromium("--virtual-time-budget=3000", "--dump-dom", $"{page}&token={token}");
        return (result, expected, log.ToString(), (status, dom));
    }

    private static void AssertSameRun(TrainResult expected, TrainResult result)
    {
        Assert.Equal(expected.Curve, result.Curve);
        Assert.Equal(expected.UplinkBitsTotal, result.UplinkBitsTotal);
        Assert.Equal(expected.DownlinkBitsTotal, result.DownlinkBitsTotal);
        Assert.Equal(expected.TrainLoss, result.TrainLoss);
    }

    /// <summary>
    /// `dq train --silos 2 --checkpoint F` killed with SIGKILL once it has written the checkpoint of update 10 (the
    /// server dies with it; its silos stop by themselves), then the same command again: it resumes from the file and
    /// prints the uninterrupted run's result.
    /// </summary>
    [Fact]
    public async Task A_killed_server_resumes_from_its_checkpoint_with_the_uninterrupted_result()
    {
        var folder = Directory.CreateTempSubdirectory("dq-resume").FullName;
        var file = ClusterTests.WriteLibSvm(folder);
        var checkpoint = Path.Combine(folder, "run.ckpt");
        var options = new TrainOptions { Method = "ef-topk-sign", Workers = 3, Epochs = 3, Batch = 16, Fraction = 0.2 };
        var expected = Trainer.Run(DataSources.HoldOut(LibSvmReader.Read(file), 7, options.Seed), options);
        string[] command = ["train", "--silos", "2", "--data", file, "--method", "ef-topk-sign", "--workers", "3", "--epochs", "3", "--batch", "16", "--k-fraction", "0.2", "--checkpoint", checkpoint, "--checkpoint-every", "5", "--json", "--out", folder];

        var first = await Dq(command, killWhen: line => line.Contains("checkpoint of update 10 written", StringComparison.Ordinal));
        Assert.True(first.Killed, $"the first run ended before update 10: {first.Error}");
        var second = await Dq(command);
        Assert.Equal(0, second.Exit);
        var resumed = System.Text.RegularExpressions.Regex.Match(second.Error, @"resumed from the checkpoint '.*run\.ckpt' at update (\d+)");
        Assert.True(resumed.Success && int.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 10, second.Error);
        using var json = JsonDocument.Parse(second.Output);
        Assert.Equal(expected.UplinkBitsTotal, json.RootElement.GetProperty("uplink_bits_total").GetInt64());
        Assert.Equal(expected.DownlinkBitsTotal, json.RootElement.GetProperty("downlink_bits_total").GetInt64());
        Assert.Equal(expected.TestAccuracy, json.RootElement.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(expected.TrainLoss, json.RootElement.GetProperty("train_loss").GetDouble());
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// `dq run --silos 2 --checkpoint F` killed with SIGKILL once it has written the checkpoint of iteration 40 (its server
    /// grain and silos go with it), then the same run again in this very process, without silos: it resumes from the file
    /// (a checkpoint is the run's, whatever it ran on) and reports the uninterrupted run, error history and rate included.
    /// </summary>
    [Fact]
    public async Task A_killed_dq_run_resumes_from_its_checkpoint_with_the_uninterrupted_result()
    {
        var folder = Directory.CreateTempSubdirectory("dq-run-resume").FullName;
        var checkpoint = Path.Combine(folder, "run.ckpt");
        string[] run = ["run", "--method", "dq-gd", "--rate", "8", "--workers", "2", "--m", "4000", "--n", "400", "--kappa", "300", "--iterations", "3000", "--checkpoint-every", "20", "--json"];
        var (exit, local, error) = TestData.Dq(run);
        Assert.True(exit == 0, error);
        using var expected = JsonDocument.Parse(local);

        var first = await Dq([.. run, "--silos", "2", "--checkpoint", checkpoint], killWhen: line => line.Contains("checkpoint of iteration 40 written", StringComparison.Ordinal));
        Assert.True(first.Killed, $"the first run ended before iteration 40: {first.Error}");
        var second = TestData.Dq([.. run, "--checkpoint", checkpoint]);
        Assert.True(second.Exit == 0, second.Error);
        var resumed = System.Text.RegularExpressions.Regex.Match(second.Error, @"resumed from the checkpoint '.*run\.ckpt' at iteration (\d+)");
        Assert.True(resumed.Success && int.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 40, second.Error);
        using var report = JsonDocument.Parse(second.Output);
        foreach (var field in new[] { "iterations", "bits_total", "downlink_bits_total", "framing_bits_total", "relative_error", "empirical_rate", "overloads" })
        {
            Assert.Equal(expected.RootElement.GetProperty(field).ToString(), report.RootElement.GetProperty(field).ToString());
        }

        Assert.Contains("belongs to another run", TestData.Dq([.. run.Select(a => a == "3000" ? "2000" : a), "--checkpoint", checkpoint]).Error);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>A torn checkpoint and another run's are refused with the file named, and neither is overwritten.</summary>
    [Fact]
    public void Torn_or_foreign_checkpoints_are_refused_and_kept()
    {
        var folder = Directory.CreateTempSubdirectory("dq-torn").FullName;
        var file = ClusterTests.WriteLibSvm(folder);
        var checkpoint = Path.Combine(folder, "run.ckpt");
        string[] command = ["train", "--data", file, "--workers", "2", "--epochs", "1", "--batch", "32", "--checkpoint", checkpoint, "--json", "--out", folder];
        Assert.Equal(0, TestData.Dq(command).Exit);
        var saved = File.ReadAllBytes(checkpoint);

        var (exit, output, error) = TestData.Dq([.. command, "--seed", "2"]);
        Assert.NotEqual(0, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"cannot resume from '{checkpoint}'", error);
        Assert.Contains("belongs to a run of other options", error);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));

        File.WriteAllBytes(checkpoint, saved[..(saved.Length / 2)]);
        (exit, output, error) = TestData.Dq(command);
        Assert.NotEqual(0, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("corrupt or truncated", error);
        Assert.Equal(saved.Length / 2, new FileInfo(checkpoint).Length);
        Directory.Delete(folder, recursive: true);
    }

    private sealed record Exited(int Exit, string Output, string Error, bool Killed);

    /// <summary>
    /// Runs `dq` as its own process; kills it (SIGKILL, the process alone) as soon as a line of its standard error
    /// satisfies <paramref name="killWhen"/>. Bounded by <see cref="Limit"/>.
    /// </summary>
    private static async Task<Exited> Dq(string[] arguments, Func<string, bool>? killWhen = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var dq = Process.Start(start)!;
        using var limit = new CancellationTokenSource(Limit);
        var output = dq.StandardOutput.ReadToEndAsync(limit.Token);
        var error = new System.Text.StringBuilder();
        var killed = false;
        while (await dq.StandardError.ReadLineAsync(limit.Token) is { } line)
        {
            error.AppendLine(line);
            if (!killed && killWhen?.Invoke(line) == true)
            {
                dq.Kill(entireProcessTree: false);
                killed = true;
            }
        }

        await dq.WaitForExitAsync(limit.Token);
        return new Exited(dq.ExitCode, await output, error.ToString(), killed);
    }
}
