using DiffQuant.Cluster;
using DiffQuant.Learning.Training;
using Orleans.TestingHost;

namespace DiffQuant.Tests;

/// <summary>Two real silos in this process (Orleans' TestingHost), shared by the cluster tests.</summary>
public sealed class TwoSilos : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(2).Build();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

[Collection(RealProcesses.Name)]
public class ClusterTests(TwoSilos silos) : IClassFixture<TwoSilos>
{
    internal static readonly string Spec = DataSpec.Synthetic(train: 800, test: 200, features: 12, classes: 4, separation: 4, seed: 3);

    /// <summary>
    /// A server grain and worker grains that load their own shards give the in-process run bit for bit: the same curve,
    /// bits up and down, and final loss, for one worker, several synchronous ones, and asynchronous double quantization.
    /// </summary>
    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("ef-topk-sign", 3)]
    [InlineData("asylpg", 3)]
    public async Task A_cluster_run_equals_the_in_process_run(string method, int workers)
    {
        var options = new TrainOptions { Method = method, Workers = workers, Epochs = 2, Batch = 16, Fraction = 0.2, Threads = 2, EvaluationsPerEpoch = 2 };
        var data = DataSpec.Load(Spec, options.Seed);
        var local = Trainer.Run(data, options);
        var remote = await ClusterTrainer.Run(silos.Cluster.GrainFactory, $"{method}-{workers}", null, Spec, options, new RecoveryOptions(), null);
        Assert.Equal(local.Curve, remote.Curve);
        Assert.Equal(local.UplinkBitsTotal, remote.UplinkBitsTotal);
        Assert.Equal(local.DownlinkBitsTotal, remote.DownlinkBitsTotal);
        Assert.Equal(local.TrainLoss, remote.TrainLoss);
        Assert.Equal(0, remote.Recoveries);
        Assert.Equal(0, remote.ServerRecoveries);
        Assert.True(remote.TestAccuracy >= 0.85, $"accuracy {remote.TestAccuracy}");
    }

    /// <summary>
    /// Live arrivals on the cluster: the server grain takes its worker grains' gradients as they come (under τ) and
    /// records the order; replayed in-process, that order gives the cluster run bit for bit.
    /// </summary>
    [Fact]
    public async Task A_live_cluster_runs_arrivals_replay_in_process_to_the_same_run()
    {
        var options = new TrainOptions { Method = "asylpg", Workers = 3, Epochs = 2, Batch = 16, Threads = 2, EvaluationsPerEpoch = 2, Arrivals = ArrivalOrder.Live };
        var remote = await ClusterTrainer.Run(silos.Cluster.GrainFactory, "live-3", null, Spec, options, new RecoveryOptions(), null);
        var replayed = Trainer.Run(DataSpec.Load(Spec, options.Seed), options with { Arrivals = ArrivalOrder.Replay }, replay: remote.Arrivals);
        Assert.Equal("live", remote.ArrivalOrder);
        Assert.Equal(remote.Arrivals, replayed.Arrivals);
        Assert.Equal(remote.Curve, replayed.Curve);
        Assert.Equal(remote.UplinkBitsTotal, replayed.UplinkBitsTotal);
        Assert.Equal(remote.DownlinkBitsTotal, replayed.DownlinkBitsTotal);
        Assert.Equal(remote.TrainLoss, replayed.TrainLoss);
        Assert.InRange(remote.MaxStaleness!.Value, 0, options.MaxStaleness);
    }

    /// <summary>
    /// `dq status`'s reading of a cluster lists a run while its server grain runs it (asked from the run's own progress)
    /// and no longer once the server has answered the result and deactivated.
    /// </summary>
    [Fact]
    public async Task The_cluster_status_lists_a_run_while_it_runs()
    {
        var options = new TrainOptions { Method = "sgd", Workers = 2, Epochs = 1, Batch = 16, Threads = 2, EvaluationsPerEpoch = 2 };
        ClusterStatus? during = null;
        await ClusterTrainer.Run(silos.Cluster.GrainFactory, "status-run", null, Spec, options, new RecoveryOptions(), null, p =>
            during ??= p.Step >= 3 ? ClusterStatus.Read(silos.Cluster.GrainFactory, "test").GetAwaiter().GetResult() : null, reportEvery: 1);
        var run = Assert.Single(during!.Runs, r => r.Run == "status-run");
        Assert.Equal("train", run.Command);
        Assert.Contains(during.Silos, s => s.Address == run.ServerSilo);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await ClusterStatus.Read(silos.Cluster.GrainFactory, "test")).Runs.Any(r => r.Run == "status-run"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the finished run's server grain is still active after 30 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_unconfigured_worker_grain_refuses_messages()
    {
        var grain = silos.Cluster.GrainFactory.GetGrain<IWorkerGrain>("never-configured/0");
        var error = await Assert.ThrowsAsync<GrainFault>(() => grain.Handle(new WireMessage()));
        Assert.Contains("worker grain 'never-configured/0': it was not configured", error.Message);
        var lost = Assert.Throws<WorkerLost>(() => new RemoteWorker(grain, 0, null, TimeSpan.FromMinutes(1)).Handle(DiffQuant.Bits.Payload.Empty));
        Assert.Equal("worker 0 was lost: worker grain 'never-configured/0': it was not configured.", lost.Message);
    }

    /// <summary>
    /// Bytes that are not the expected message are refused with the worker's error; a reply longer than its link's
    /// longest message is refused by the receiving process before its body is read; the worker still answers the real one.
    /// </summary>
    [Fact]
    public async Task Malformed_bytes_and_a_reply_longer_than_its_link_are_refused()
    {
        var options = new TrainOptions { Workers = 1, Batch = 16 };
        var grain = silos.Cluster.GrainFactory.GetGrain<IWorkerGrain>("malformed/0");
        var setup = new WorkerSetup { Options = ClusterOptions.Format(options), Data = Spec, Index = 0 };
        await grain.Configure(setup);
        var worker = new RemoteWorker(grain, 0, null, TimeSpan.FromMinutes(1));
        worker.Bind(new DiffQuant.Transport.Link(0, uplinkBudgetBits: 16, setupBudgetBits: 16)); // carries 7 bytes; the worker's setup is 9
        var error = Assert.Throws<DiffQuantException>(() => worker.Handle(new DiffQuant.Bits.Payload(new byte[] { 0xFF, 0, 0, 0, 0, 0 }, 48)));
        Assert.Contains("worker grain 'malformed/0': unknown message kind 255", error.Message);

        var writer = new DiffQuant.Bits.BitWriter();
        DiffQuant.Transport.Envelope.Begin(writer, DiffQuant.Transport.MessageKind.Opening, 0);
        writer.WriteSingles(new float[(12 * 4) + 4]);
        var opening = writer.ToPayload();
        var oversized = Assert.Throws<DiffQuantException>(() => worker.Handle(opening));
        Assert.Equal("worker 0: a reply of 9 bytes from worker grain 'malformed/0' exceeds its link's longest message (7 bytes) and was refused unread.", oversized.Message);

        await grain.Configure(setup); // afresh: it has answered that opening
        worker.Bind(new DiffQuant.Transport.Link(0, uplinkBudgetBits: 16, setupBudgetBits: 32));
        Assert.Equal(DiffQuant.Transport.Envelope.HeaderBits + 32, worker.Handle(opening).BitLength); // the setup: its sample count
    }

    /// <summary>
    /// `dq train --silos 2` as a real process: it starts two `dq silo` processes, runs its worker grains there (each
    /// loading its shard from the LIBSVM file itself, with the test file and the one-against-the-rest relabelling the
    /// command was given) and prints the in-process run's result; no silo outlives it.
    /// </summary>
    [Fact]
    public async Task Dq_train_on_two_silo_processes_gives_the_in_process_result()
    {
        var folder = Directory.CreateTempSubdirectory("dq-silos").FullName;
        var (file, test) = (WriteLibSvm(folder), WriteLibSvm(folder, test: true));
        var options = new TrainOptions { Method = "asylpg", Workers = 3, Epochs = 1, Batch = 16, Threads = 2 };
        var train = DiffQuant.Learning.Data.LibSvmReader.Read(file);
        var local = Trainer.Run(new DiffQuant.Learning.Data.DataSplit(train, DiffQuant.Learning.Data.LibSvmReader.Read(test, train.Features)).OneVsRest(1), options);

        using var json = System.Text.Json.JsonDocument.Parse(await DqProcess("train", "--silos", "2", "--data", file, "--test", test, "--positive-class", "1", "--method", "asylpg", "--workers", "3", "--epochs", "1", "--batch", "16", "--threads", "2", "--json", "--out", folder));
        Assert.Contains("class 1 against the rest", json.RootElement.GetProperty("data").GetString());
        Assert.Equal(local.UplinkBitsTotal, json.RootElement.GetProperty("uplink_bits_total").GetInt64());
        Assert.Equal(local.DownlinkBitsTotal, json.RootElement.GetProperty("downlink_bits_total").GetInt64());
        Assert.Equal(local.TestAccuracy, json.RootElement.GetProperty("test_accuracy").GetDouble());
        Assert.True(json.RootElement.GetProperty("wire_bytes_sent").GetInt64() > local.DownlinkBitsTotal / 8, "the runtime sends at least the downlink's information");
        Assert.True(json.RootElement.GetProperty("wire_bytes_received").GetInt64() > local.UplinkBitsTotal / 8, "and receives at least the uplink's");
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// `dq train --compare --silos 2` (real processes): every (method, seed) of the table runs as a cluster run on the
    /// same two silos, and the table is the in-process one (wall times aside).
    /// </summary>
    [Fact]
    public async Task Dq_train_compare_on_two_silo_processes_gives_the_in_process_table()
    {
        var folder = Directory.CreateTempSubdirectory("dq-compare").FullName;
        var file = WriteLibSvm(folder);
        string[] compare = ["train", "--compare", "--data", file, "--methods", "sgd,ef-topk-sign", "--seeds", "2", "--workers", "2", "--epochs", "1", "--batch", "16", "--k-fraction", "0.2", "--json"];
        var (exit, local, error) = TestData.Dq([.. compare, "--out", Path.Combine(folder, "local")]);
        Assert.True(exit == 0, error);
        using var expected = System.Text.Json.JsonDocument.Parse(local);
        using var actual = System.Text.Json.JsonDocument.Parse(await DqProcess([.. compare, "--silos", "2", "--out", Path.Combine(folder, "silos")]));
        var (rows, clusterRows) = (expected.RootElement.GetProperty("rows"), actual.RootElement.GetProperty("rows"));
        Assert.Equal(2, clusterRows.GetArrayLength());
        for (var i = 0; i < rows.GetArrayLength(); i++)
        {
            foreach (var field in new[] { "method", "seeds", "test_accuracy_mean", "test_accuracy_std", "train_loss_mean", "uplink_bits_mean", "downlink_bits_mean" })
            {
                Assert.Equal(rows[i].GetProperty(field).GetRawText(), clusterRows[i].GetProperty(field).GetRawText());
            }
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// `dq train --silos 2 --arrivals live` (real processes) writes the order its server took the gradients in;
    /// `dq train --arrivals that/train.json` in this process replays it to the same run.
    /// </summary>
    [Fact]
    public async Task Dq_train_with_live_arrivals_on_silos_replays_in_process()
    {
        var folder = Directory.CreateTempSubdirectory("dq-live").FullName;
        var file = WriteLibSvm(folder);
        string[] run = ["train", "--data", file, "--method", "asylpg", "--workers", "3", "--epochs", "1", "--batch", "16", "--json"];
        using var live = System.Text.Json.JsonDocument.Parse(await DqProcess([.. run, "--silos", "2", "--arrivals", "live", "--out", Path.Combine(folder, "live")]));
        var (exit, output, error) = TestData.Dq([.. run, "--arrivals", Path.Combine(folder, "live", "train.json"), "--out", Path.Combine(folder, "replay")]);
        Assert.True(exit == 0, error);
        using var replay = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("replay", replay.RootElement.GetProperty("arrival_order").GetString());
        foreach (var field in new[] { "arrivals", "curve", "uplink_bits_total", "downlink_bits_total", "train_loss", "test_accuracy" })
        {
            Assert.Equal(live.RootElement.GetProperty(field).GetRawText(), replay.RootElement.GetProperty(field).GetRawText());
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// `dq run --silos 2` (real processes): the server grain and the worker grains re-parse the command's arguments (the
    /// server runs on a silo; this process only submits and follows) and hold the same shards, so the run is the
    /// in-process one. The third case is a sparse problem past the dense limit (Lanczos and CGLS on every
    /// silo, built once per silo).
    /// </summary>
    [Theory]
    [InlineData("dq-gd", "sync", "--m 120 --n 12")]
    [InlineData("nq-gd --range adaptive --ramp 1", "async", "--m 120 --n 12")]
    [InlineData("dq-gd --range adaptive", "sync", "--problem sparse --m 2600 --n 2500")]
    [InlineData("dq-gd --downlink relay", "sync", "--m 120 --n 12")]
    public async Task Dq_run_on_two_silo_processes_gives_the_in_process_result(string method, string mode, string problem)
    {
        string[] arguments = ["run", "--method", .. method.Split(' '), "--rate", "8", "--workers", "3", "--mode", mode, .. problem.Split(' '), "--iterations", "60", "--json"];
        var (exit, local, _) = TestData.Dq(arguments);
        Assert.Equal(0, exit);
        using var expected = System.Text.Json.JsonDocument.Parse(local);
        using var actual = System.Text.Json.JsonDocument.Parse(await DqProcess([.. arguments, "--silos", "2"]));
        foreach (var field in new[] { "iterations", "bits_total", "downlink_bits_total", "framing_bits_total", "relative_error", "exit_reason", "overloads" })
        {
            Assert.Equal(expected.RootElement.GetProperty(field).ToString(), actual.RootElement.GetProperty(field).ToString());
        }

        Assert.Equal(2, actual.RootElement.GetProperty("silos").GetInt32());
        Assert.Matches(@"^127\.0\.0\.1:\d+@\d+$", actual.RootElement.GetProperty("server_silo").GetString());
    }

    /// <summary>The silos read `dq run`'s problem: a file they cannot read is one error line naming it, exit 2, nothing on stdout.</summary>
    [Fact]
    public async Task Dq_run_on_silos_reports_a_problem_file_the_silos_cannot_read()
    {
        var (exit, output, error) = await DqProcessExit("run", "--method", "dq-gd", "--matrix", "/no/such/matrix.mtx", "--silos", "1", "--json");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Matches(@"^error: run server grain '[^']+': cannot read Matrix Market file '/no/such/matrix\.mtx'", error.Trim());
    }

    [Fact]
    public void Bad_data_specs_are_refused()
    {
        Assert.Contains("unknown data spec", Assert.Throws<DiffQuantException>(() => DataSpec.Load("synthetic:1,2", 1)).Message);
        Assert.Contains("unknown part 'shuffle=1'", Assert.Throws<DiffQuantException>(() => DataSpec.Load($"{Spec}?shuffle=1", 1)).Message);
        Assert.Contains("a test file applies to a LIBSVM data spec", Assert.Throws<DiffQuantException>(() => DataSpec.Load($"{Spec}?test=a.libsvm", 1)).Message);
        Assert.Contains("class 9 is not one of the 4 classes", Assert.Throws<DiffQuantException>(() => DataSpec.Load($"{Spec}?positive=9", 1)).Message);
    }

    /// <summary>The synthetic training set of <see cref="Spec"/> as a LIBSVM file in <paramref name="folder"/>.</summary>
    internal static string WriteLibSvm(string folder, bool test = false)
    {
        var file = Path.Combine(folder, test ? "synthetic test.libsvm" : "synthetic.libsvm");
        var synthetic = test ? DataSpec.Load(Spec, 1).Test : DataSpec.Load(Spec, 1).Train;
        File.WriteAllLines(file, Enumerable.Range(0, synthetic.Count).Select(i =>
            $"{synthetic.Label(i)} " + string.Join(' ', synthetic.Row(i).ToArray().Select((v, j) => FormattableString.Invariant($"{j + 1}:{v:R}")))));
        return file;
    }

    /// <summary>Runs `dq` as its own process (so it can start silo processes of itself) and returns its output; it must exit 0 within 2 minutes.</summary>
    internal static async Task<string> DqProcess(params string[] arguments)
    {
        var (exit, output, error) = await DqProcessExit(arguments);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        return output;
    }

    /// <summary>Runs `dq` as its own process; its exit code, standard output and standard error, within 2 minutes.</summary>
    internal static async Task<(int Exit, string Output, string Error)> DqProcessExit(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(DiffQuant.Cli.CliApp).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var dq = System.Diagnostics.Process.Start(start)!;
        var errors = dq.StandardError.ReadToEndAsync();
        var output = await dq.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await dq.WaitForExitAsync(limit.Token);
        return (dq.ExitCode, output, await errors);
    }
}
