using System.Diagnostics;
using System.Text.Json;
using DiffQuant.Cluster;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Tests;

/// <summary>
/// A cluster whose membership is in a real Redis (Debian's redis-server, which `.ci/run` installs): two `dq silo
/// --cluster` processes join it, `dq status` lists them, `dq train --cluster` runs on them with the in-process result,
/// and with Redis gone `dq status` fails with a clear error and the silos still stop on SIGTERM. Every wait is on a ready
/// line or a process exit.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class RedisClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private readonly List<Process> _processes = [];
    private string _cluster = string.Empty;
    private int _redisPort;

    private static string Cli => typeof(DiffQuant.Cli.CliApp).Assembly.Location;

    public async Task InitializeAsync()
    {
        var ports = LocalCluster.FreePorts(5);
        _redisPort = ports[0];
        _processes.Add(await StartRedis());
        _cluster = $"redis://127.0.0.1:{ports[0]}";
        for (var i = 0; i < 2; i++)
        {
            _processes.Add(await SiloProcess.Start("dotnet", [Cli, "silo", "--cluster", _cluster, "--silo-port", $"{ports[1 + (2 * i)]}", "--gateway-port", $"{ports[2 + (2 * i)]}", "--exit-with", $"{Environment.ProcessId}"], SiloHost.ReadyLine, Limit));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    [Fact]
    public async Task Silos_join_through_redis_and_a_run_submitted_to_them_gives_the_in_process_result()
    {
        using (var status = JsonDocument.Parse(await Dq("status", "--cluster", _cluster, "--json")))
        {
            var silos = status.RootElement.GetProperty("silos").EnumerateArray().ToList();
            Assert.Equal(2, silos.Count(s => s.GetProperty("status").GetString() == "Active"));
        }

        var folder = Directory.CreateTempSubdirectory("dq-redis").FullName;
        var file = ClusterTests.WriteLibSvm(folder);
        var options = new TrainOptions { Method = "ef-topk-sign", Workers = 3, Epochs = 1, Batch = 16, Fraction = 0.2 };
        var expected = Trainer.Run(DataSources.HoldOut(LibSvmReader.Read(file), 7, options.Seed), options);
        using (var run = JsonDocument.Parse(await Dq("train", "--cluster", _cluster, "--data", file, "--method", "ef-topk-sign", "--workers", "3", "--epochs", "1", "--batch", "16", "--k-fraction", "0.2", "--json", "--out", folder)))
        {
            Assert.Equal(expected.UplinkBitsTotal, run.RootElement.GetProperty("uplink_bits_total").GetInt64());
            Assert.Equal(expected.TestAccuracy, run.RootElement.GetProperty("test_accuracy").GetDouble());
            Assert.Equal(_cluster, run.RootElement.GetProperty("cluster").GetString());
        }

        using (var status = JsonDocument.Parse(await Dq("status", "--cluster", _cluster, "--json")))
        {
            Assert.Equal(3, status.RootElement.GetProperty("silos").EnumerateArray().Sum(s => s.GetProperty("worker_grains").GetInt32()));
        }

        // A checkpoint in Redis: written by the first run, resumed (at its end) by the second, which prints the same result.
        string[] checkpointed = ["train", "--data", file, "--workers", "2", "--epochs", "1", "--batch", "32", "--checkpoint", $"{_cluster}/runs/one", "--json", "--out", folder];
        var (firstExit, firstOutput, _) = TestData.Dq(checkpointed);
        var (secondExit, secondOutput, secondError) = TestData.Dq(checkpointed);
        Assert.Equal((0, 0), (firstExit, secondExit));
        Assert.Contains($"resumed from the checkpoint '{_cluster}/runs/one'", secondError);
        using (JsonDocument first = JsonDocument.Parse(firstOutput), second = JsonDocument.Parse(secondOutput))
        {
            Assert.Equal(first.RootElement.GetProperty("uplink_bits_total").GetInt64(), second.RootElement.GetProperty("uplink_bits_total").GetInt64());
            Assert.Equal(first.RootElement.GetProperty("test_accuracy").GetDouble(), second.RootElement.GetProperty("test_accuracy").GetDouble());
        }

        _processes[0].Kill();
        await _processes[0].WaitForExitAsync();
        var (exit, output, error) = TestData.Dq("status", "--cluster", _cluster);
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"error: cannot connect to the cluster at {_cluster}: It was not possible to connect to the redis server", error);
        (exit, output, error) = TestData.Dq(checkpointed);
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"error: cannot reach the checkpoint store {_cluster}/runs/one", error);

        // Silos whose membership store is gone still stop on SIGTERM: their graceful leave is bounded.
        foreach (var silo in _processes.Skip(1))
        {
            using var signal = Process.Start("kill", ["-TERM", $"{silo.Id}"]);
            await signal.WaitForExitAsync();
            using var bounded = new CancellationTokenSource(SiloSettings.StopTimeout * 3);
            await silo.WaitForExitAsync(bounded.Token);
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// Redis restarted without persistence in the middle of a run (after update 12): the running silos keep talking to
    /// each other, so the run ends with the uninterrupted result; a new client finds no silo registered and is refused
    /// with a clear error rather than running on a half-known cluster.
    /// </summary>
    [Fact]
    public async Task Redis_restarted_empty_mid_run_leaves_the_run_intact_and_refuses_new_clients_clearly()
    {
        var options = new TrainOptions { Method = "ef-topk-sign", Workers = 2, Epochs = 2, Batch = 16, Fraction = 0.2, EvaluationsPerEpoch = 2 };
        var expected = Trainer.Run(DataSpec.Load(ClusterTests.Spec, options.Seed), options);
        var restarted = false;
        TrainResult result;
        await using (var client = await RedisCluster.Connect(ClusterAddress.Parse(_cluster), Limit))
        {
            result = await ClusterTrainer.Run(client.Grains, "redis-restart", null, ClusterTests.Spec, options, new RecoveryOptions { CheckpointEvery = 5 }, null, p =>
            {
                if (p.Step == 12 && !restarted)
                {
                    restarted = true;
                    _processes[0].Kill();
                    _processes[0].WaitForExit();
                    _processes[0] = StartRedis().GetAwaiter().GetResult();
                }
            }, reportEvery: 1);
        }

        Assert.True(restarted);
        Assert.Equal(expected.Curve, result.Curve);
        Assert.Equal(expected.UplinkBitsTotal, result.UplinkBitsTotal);
        var (exit, output, error) = TestData.Dq("status", "--cluster", _cluster);
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("no silo is registered in that Redis", error);
    }

    private Task<Process> StartRedis() =>
        SiloProcess.Start("redis-server", ["--port", $"{_redisPort}", "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"], "Ready to accept connections", Limit);

    private static Task<string> Dq(params string[] arguments) => ClusterTests.DqProcess(arguments);
}
