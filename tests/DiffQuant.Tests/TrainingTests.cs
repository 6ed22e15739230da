using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Tests;

public class TrainingTests
{
    private static readonly DataSplit Data = DataSources.Synthetic(train: 800, test: 200, features: 12, classes: 4, separation: 4, seed: 3);

    private static TrainOptions Options(string method, string model = "softmax", int threads = 1) => new()
    {
        Model = model,
        Method = method,
        Workers = 4,
        Epochs = 3,
        Batch = 16,
        Hidden = 8,
        Fraction = 0.2,
        Threads = threads,
        EvaluationsPerEpoch = 2,
    };

    public static TheoryData<string> Methods => [.. TrainingMethod.Standard.Select(m => m.Name).Concat(["signsgd", "topk", "ef-qsgd", "df-terngrad", "df-dq-sgd", "ef-rotated", "df-rotated", "ef-rotated-ec", "ef-e8", "df-d8"])];

    /// <summary>Every method learns the separable clusters through the links.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_method_learns_through_the_links(string method)
    {
        var result = Trainer.Run(Data, Options(method));
        Assert.True(result.TestAccuracy >= 0.85, $"{method}: test accuracy {result.TestAccuracy}");
        Assert.True(result.CompressionRatio >= (method == "sgd" ? 1 : 1.5), $"{method}: ratio {result.CompressionRatio}");
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("mlp")]
    public void Runs_are_identical_whatever_the_thread_count(string model)
    {
        var one = Trainer.Run(Data, Options("ef-topk-sign", model, threads: 1));
        var four = Trainer.Run(Data, Options("ef-topk-sign", model, threads: 4));
        Assert.Equal(one.UplinkBitsTotal, four.UplinkBitsTotal);
        Assert.Equal(one.Curve, four.Curve);
        Assert.Equal(one.TrainLoss, four.TrainLoss);
    }

    /// <summary>The links count exactly the payloads: binary32 and fixed-rate QSGD have known lengths.</summary>
    [Fact]
    public void Uplink_bits_are_the_payload_lengths()
    {
        var options = Options("sgd");
        var run = Trainer.Run(Data, options);
        var p = (12 * 4) + 4;
        var messages = (long)run.Steps * options.Workers;
        Assert.Equal((messages * 32 * p) + (options.Workers * 32), run.UplinkBitsTotal);
        Assert.Equal(32.0, run.BitsPerCoordinate);
        var qsgd = Trainer.Run(Data, options with { Method = "qsgd", Bits = 3 });
        Assert.Equal((messages * (32 + (3 * p))) + (options.Workers * 32), qsgd.UplinkBitsTotal);

        // The rotated codes: a binary32 reference, a 5-bit gain (7-bit step) and B bits a coordinate (of whole lattice blocks).
        var rotated = Trainer.Run(Data, options with { Method = "ef-rotated", Bits = 2 });
        Assert.Equal((messages * (32 + 5 + (2 * p))) + (options.Workers * 32), rotated.UplinkBitsTotal);
        var coded = Trainer.Run(Data, options with { Method = "ef-rotated-ec", Bits = 2 });
        Assert.Equal((messages * (32 + 7 + (2 * p))) + (options.Workers * 32), coded.UplinkBitsTotal);
        var e8 = Trainer.Run(Data, options with { Method = "ef-e8", Bits = 2 });
        Assert.Equal((messages * (32 + 5 + (2 * 8 * ((p + 7) / 8)))) + (options.Workers * 32), e8.UplinkBitsTotal);
        var d8 = Trainer.Run(Data, options with { Method = "ef-d8", Bits = 3 });
        Assert.Equal((messages * (32 + 5 + (3 * 8 * ((p + 7) / 8)))) + (options.Workers * 32), d8.UplinkBitsTotal);

        // Downlink to every worker: the opening model, the go message (η) and the model after each step but the last.
        Assert.Equal(options.Workers * ((32L * p * run.Steps) + 32), run.DownlinkBitsTotal);
    }

    [Fact]
    public void Qsgd_codes_and_buckets_are_options_of_a_run()
    {
        var options = Options("qsgd");
        var fixedCode = Trainer.Run(Data, options);
        var elias = Trainer.Run(Data, options with { Coding = DiffQuant.Learning.Compression.LevelCoding.Elias });
        var buckets = Trainer.Run(Data, options with { Bucket = 13 });
        var fifteenLevels = Trainer.Run(Data, options with { Levels = 15 });
        Assert.True(elias.UplinkBitsTotal < fixedCode.UplinkBitsTotal, $"Elias {elias.UplinkBitsTotal} vs fixed {fixedCode.UplinkBitsTotal}");
        var messages = (long)fixedCode.Steps * options.Workers;
        Assert.Equal(fixedCode.UplinkBitsTotal + (messages * 32 * 3), buckets.UplinkBitsTotal); // 52 coordinates: 4 buckets, 3 more norms
        Assert.Equal(fixedCode.UplinkBitsTotal + (messages * 52), fifteenLevels.UplinkBitsTotal); // s = 15: 5 bits, not 4
        Assert.All(new[] { elias, buckets, fifteenLevels }, r => Assert.True(r.TestAccuracy >= 0.85, $"accuracy {r.TestAccuracy}"));
    }

    [Fact]
    public void Dq_sgd_spends_at_most_its_budget()
    {
        var options = Options("dq-sgd") with { BitsBudget = 40_000 };
        var run = Trainer.Run(Data, options);
        Assert.InRange(run.UplinkBitsTotal, 0.5 * options.BitsBudget.Value, options.BitsBudget.Value);
    }

    /// <summary>A session snapshot after 10 rounds, restored into fresh objects, continues bit for bit.</summary>
    /// <summary>
    /// A run checkpointed half way and restored into a fresh run (another process, in effect) ends exactly as the
    /// uninterrupted run: same curve, bits and loss; the checkpoint of other options is refused.
    /// </summary>
    [Theory]
    [InlineData("df-topk-sign")]
    [InlineData("asylpg")]
    public void A_checkpointed_run_resumes_to_the_uninterrupted_result(string method)
    {
        var options = Options(method);
        var whole = Trainer.Run(Data, options);
        var first = new TrainingRun(Data, options);
        while (first.Step < first.Steps / 2)
        {
            first.Advance();
        }

        var checkpoint = first.Checkpoint();
        var resumed = new TrainingRun(Data, options);
        resumed.Restore(checkpoint);
        Assert.Equal(first.Step, resumed.Step);
        while (!resumed.Done)
        {
            resumed.Advance();
        }

        var result = resumed.Result(0);
        Assert.Equal(whole.Curve, result.Curve);
        Assert.Equal(whole.UplinkBitsTotal, result.UplinkBitsTotal);
        Assert.Equal(whole.DownlinkBitsTotal, result.DownlinkBitsTotal);
        Assert.Equal(whole.TrainLoss, result.TrainLoss);
        Assert.Contains("belongs to a run of other options", Assert.Throws<DiffQuantException>(() => new TrainingRun(Data, options with { Seed = 2 }).Restore(checkpoint)).Message);
    }

    /// <summary>
    /// Live arrivals: the workers compute at once and the server takes their gradients as they finish, never staler than
    /// τ; the recorded order, replayed, gives the same run bit for bit (curve, bits, loss). A live run checkpointed half
    /// way and resumed keeps the order it had recorded, so its record replays to its result too.
    /// </summary>
    [Fact]
    public void A_live_runs_recorded_arrivals_replay_to_the_same_run()
    {
        var options = Options("asylpg", threads: 4) with { Arrivals = ArrivalOrder.Live };
        var live = Trainer.Run(Data, options);
        Assert.Equal("live", live.ArrivalOrder);
        Assert.True(live.Arrivals!.Count > live.Steps, $"{live.Arrivals.Count} arrivals for {live.Steps} updates (and the epochs' barriers)");
        Assert.All(live.Arrivals, k => Assert.InRange(k, 0, options.Workers - 1));
        Assert.InRange(live.MaxStaleness!.Value, 0, options.MaxStaleness);
        AssertSameRun(live, Trainer.Run(Data, options with { Arrivals = ArrivalOrder.Replay }, replay: live.Arrivals));

        var first = new TrainingRun(Data, options);
        while (first.Step < first.Steps / 2)
        {
            first.Advance();
        }

        var resumed = new TrainingRun(Data, options);
        resumed.Restore(first.Checkpoint());
        while (!resumed.Done)
        {
            resumed.Advance();
        }

        var result = resumed.Result(0);
        Assert.Equal(live.Arrivals.Count, result.Arrivals!.Count);
        AssertSameRun(result, Trainer.Run(Data, options with { Arrivals = ArrivalOrder.Replay }, replay: result.Arrivals));
        Assert.Contains("--arrivals applies to the asynchronous methods", Assert.Throws<DiffQuantException>(() => Trainer.Run(Data, Options("sgd") with { Arrivals = ArrivalOrder.Live })).Message);
    }

    private static void AssertSameRun(TrainResult expected, TrainResult actual)
    {
        Assert.Equal(expected.Curve, actual.Curve);
        Assert.Equal(expected.UplinkBitsTotal, actual.UplinkBitsTotal);
        Assert.Equal(expected.DownlinkBitsTotal, actual.DownlinkBitsTotal);
        Assert.Equal(expected.TrainLoss, actual.TrainLoss);
        Assert.Equal(expected.Arrivals, actual.Arrivals);
    }

    /// <summary>
    /// A gradient with a wrong kind or iteration, cut short, with bits left over, or over its link's budget is refused
    /// with an error saying what is wrong (the session adds the link where the reader cannot), and leaves the server (and the link's meters) exactly as they were; the real
    /// message is still taken afterwards.
    /// </summary>
    [Theory]
    [InlineData("ef-topk-sign")]
    [InlineData("dq-sgd")]
    public void Malformed_gradients_are_refused_and_leave_the_server_unchanged(string method)
    {
        var (session, server, workers, links, _) = Trainer.Build(Data.Train, Options(method));
        session.Start();
        session.Round();
        var valid = workers[0].Handle(links[0].SendDownlink(server.Outgoing(0)));
        byte[] Bytes() => valid.Bytes.ToArray();
        byte[] Flip(int at, byte mask)
        {
            var bytes = Bytes();
            bytes[at] ^= mask;
            return bytes;
        }

        var before = server.Snapshot();
        var uplinkBits = links[0].Uplink.TotalBits;
        var malformed = new (DiffQuant.Bits.Payload Payload, string Error)[]
        {
            (new(Flip(0, 0xFF), valid.BitLength), "kind"),
            (new(Flip(1, 0x01), valid.BitLength), "version"),
            (new(Bytes(), valid.BitLength - 1), "too short"),
            (new(Bytes().Append((byte)0xFF).ToArray(), valid.BitLength + 8), "left over"),
        };
        foreach (var (payload, error) in malformed)
        {
            Assert.Contains(error, Assert.Throws<DiffQuantException>(() => server.Handle(0, payload)).Message);
            Assert.Equal(before, server.Snapshot());
        }

        var big = new byte[(links[0].UplinkBudgetBits / 8) + 16];
        valid.Bytes.Span[..5].CopyTo(big);
        var oversized = new DiffQuant.Bits.Payload(big, links[0].UplinkBudgetBits + DiffQuant.Transport.Envelope.HeaderBits + 1);
        Assert.Contains("exceeds the budget", Assert.Throws<DiffQuantException>(() => links[0].SendUplink(oversized)).Message);
        Assert.Equal(uplinkBits, links[0].Uplink.TotalBits);
        Assert.Equal(DiffQuant.Methods.ReplyTarget.None, server.Handle(0, links[0].SendUplink(valid)));
    }

    [Theory]
    [InlineData("ef-topk-sign")]
    [InlineData("df-dq-sgd")]
    public void A_restored_training_session_continues_identically(string method)
    {
        var options = Options(method, "mlp");
        var (whole, wholeServer, _, _, _) = Trainer.Build(Data.Train, options);
        whole.Start();
        for (var t = 0; t < 10; t++)
        {
            whole.Round();
        }

        var snapshot = whole.Snapshot();
        for (var t = 0; t < 10; t++)
        {
            whole.Round();
        }

        var (restored, restoredServer, _, _, _) = Trainer.Build(Data.Train, options);
        restored.Restore(snapshot);
        for (var t = 0; t < 10; t++)
        {
            restored.Round();
        }

        Assert.Equal(wholeServer.Model.ToArray(), restoredServer.Model.ToArray());
        Assert.Equal(whole.Links.Sum(l => l.Uplink.TotalBits), restored.Links.Sum(l => l.Uplink.TotalBits));
    }

    [Theory]
    [InlineData("sgd-ef", "unknown training method")]
    [InlineData("ef-sgd", "no compression error")]
    [InlineData("lattice", "unknown training method")]
    public void Bad_method_names_are_refused(string name, string expected) =>
        Assert.Contains(expected, Assert.Throws<DiffQuantException>(() => TrainingMethod.Parse(name)).Message);

    [Fact]
    public void Method_names_round_trip()
    {
        foreach (var method in TrainingMethod.Standard)
        {
            Assert.Equal(method, TrainingMethod.Parse(method.Name));
        }

        Assert.Equal(TrainingMethod.Parse("ef-dq-sgd"), TrainingMethod.Parse("dq-sgd-ef"));
    }
}
