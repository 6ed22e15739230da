using System.Numerics.Tensors;
using DiffQuant.Bits;
using DiffQuant.Learning.Compression;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.DoubleQuantization;
using DiffQuant.Learning.Training;
using DiffQuant.Running;

namespace DiffQuant.Tests;

public class DoubleQuantizationTests
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
        LearningRate = 0.4,
        Threads = threads,
        EvaluationsPerEpoch = 2,
    };

    private static float[] Vector(int d, long seed, double scale = 1) =>
        [.. DiffQuant.Problems.GaussianSource.Vector(d, seed, DiffQuant.Problems.GaussianSource.Stream.Matrix).Select(v => (float)(scale * v))];

    /// <summary>The sender's exact E‖Q(v) − v‖² is what repeated draws measure.</summary>
    [Fact]
    public void The_expected_error_is_exact()
    {
        const int d = 50;
        const int draws = 20000;
        var code = new FixedPointCompressor(d, 3, blockSize: 10);
        var v = Vector(d, 4);
        var decoded = new float[d];
        double sum = 0;
        for (var t = 0; t < draws; t++)
        {
            code.Encode(v, new CompressionContext(t, 8), new BitWriter(), decoded);
            TensorPrimitives.Subtract(decoded, v, decoded);
            sum += TensorPrimitives.SumOfSquares(decoded);
        }

        var expected = code.ExpectedError(v);
        Assert.InRange(sum / draws, 0.97 * expected, 1.03 * expected);
    }

    /// <summary>
    /// A snapshot read holds the precision rule E‖x̂ − x‖² ≤ μ_q‖x − x̃‖², raising b when the offset is heavy-tailed, and the
    /// worker decodes exactly the server's copy.
    /// </summary>
    [Theory]
    [InlineData(ModelCode.Snapshot)]
    [InlineData(ModelCode.Differential)]
    public void Model_reads_hold_the_precision_rule(ModelCode kind)
    {
        const int d = 200;
        const double mu = 0.5;
        var snapshot = Vector(d, 1);
        var offset = Vector(d, 2, 0.01);
        offset[17] = 3; // one large coordinate: one δ for the read makes the rest coarse, so b must rise
        var model = new float[d];
        TensorPrimitives.Add(snapshot, offset, model);
        var server = new ModelChannel(kind, d, 2, null, mu);
        var worker = new ModelChannel(kind, d, 2, null, mu);
        double sum = 0;
        const int draws = 2000;
        for (var t = 0; t < draws; t++)
        {
            var copy = (float[])snapshot.Clone();
            var held = (float[])snapshot.Clone();
            var writer = new BitWriter();
            var context = new CompressionContext(t, 3);
            server.Write(writer, model, snapshot, copy, context);
            var reader = new BitReader(writer.ToPayload());
            worker.Read(ref reader, snapshot, held, context, "worker");
            Assert.Equal(0, reader.Remaining);
            Assert.Equal(copy, held);
            TensorPrimitives.Subtract(held, model, held);
            sum += TensorPrimitives.SumOfSquares(held);
        }

        Assert.True(server.LastBits > 2, $"b stayed at {server.LastBits}");
        Assert.True(sum / draws <= mu * TensorPrimitives.SumOfSquares(offset), $"mean error {sum / draws} > μ_q‖x − x̃‖² = {mu * TensorPrimitives.SumOfSquares(offset)}");
    }

    [Fact]
    public void Simulated_arrivals_respect_the_staleness_bound_and_replay()
    {
        const int workers = 6;
        const int tau = 7;
        var arrivals = new SimulatedArrivals(SimulatedArrivals.LinearSpeeds(workers, 6), 11, tau);
        var order = Enumerable.Range(0, 3000).Select(j => arrivals.Worker(j)).ToArray();
        Assert.All(Enumerable.Range(0, order.Length), j => Assert.InRange(arrivals.StalenessAt(j), 0, tau));
        Assert.Contains(order, k => k == workers - 1);
        Assert.True(order.Count(k => k == 0) > 2 * order.Count(k => k == workers - 1), "the fastest worker should arrive far more often than the slowest");

        var replay = new SimulatedArrivals(SimulatedArrivals.LinearSpeeds(workers, 6), 11, tau);
        Assert.Equal(order[2500], replay.Worker(2500));
        Assert.Equal(order[10], replay.Worker(10));
        Assert.Contains("K − 1", Assert.Throws<DiffQuantException>(() => new SimulatedArrivals(SimulatedArrivals.LinearSpeeds(workers, 2), 1, workers - 2)).Message);
    }

    public static TheoryData<string> Methods => [.. AsyncMethod.Standard];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_asynchronous_method_learns_within_the_staleness_bound(string method)
    {
        var options = Options(method);
        var result = Trainer.Run(Data, options);
        Assert.True(result.TestAccuracy >= 0.85, $"{method}: test accuracy {result.TestAccuracy}");
        Assert.InRange(result.MaxStaleness ?? -1, options.Workers - 1, options.MaxStaleness);
    }

    /// <summary>The same schedule gives the same run, whatever the threads computing the barrier's full gradients.</summary>
    [Theory]
    [InlineData("asylpg", "softmax")]
    [InlineData("df-asylpg", "mlp")]
    public void Asynchronous_runs_replay_exactly(string method, string model)
    {
        var one = Trainer.Run(Data, Options(method, model, threads: 1));
        var again = Trainer.Run(Data, Options(method, model, threads: 4));
        Assert.Equal(one.Curve, again.Curve);
        Assert.Equal(one.UplinkBitsTotal, again.UplinkBitsTotal);
        Assert.Equal(one.DownlinkBitsTotal, again.DownlinkBitsTotal);
        Assert.Equal(one.TrainLoss, again.TrainLoss);
    }

    /// <summary>
    /// AsyLPG's uplink is exactly: setups and ready messages (32 bits each), per epoch every worker's full gradient as
    /// binary32, and per gradient message its version (32), δ (32) and b bits a coordinate.
    /// </summary>
    [Fact]
    public void Asynchronous_bit_counts_are_the_payload_lengths()
    {
        var options = Options("asylpg");
        var run = Trainer.Run(Data, options);
        var p = (12 * 4) + 4;
        var k = options.Workers;
        var messages = run.Steps + run.Dropped!.Value;
        Assert.Equal((64L * k) + (options.Epochs * k * 32L * p) + (messages * (64 + (options.GradBits * p))), run.UplinkBitsTotal);
    }

    [Fact]
    public void A_restored_asynchronous_session_continues_identically()
    {
        var options = Options("sparse-asylpg", "mlp");
        var whole = Trainer.Build(Data.Train, options);
        whole.Session.Start();
        for (var t = 0; t < 150; t++)
        {
            whole.Session.Round();
        }

        var snapshot = whole.Session.Snapshot();
        for (var t = 0; t < 150; t++)
        {
            whole.Session.Round();
        }

        var restored = Trainer.Build(Data.Train, options);
        restored.Session.Restore(snapshot);
        for (var t = 0; t < 150; t++)
        {
            restored.Session.Round();
        }

        Assert.Equal(whole.Server.Model.ToArray(), restored.Server.Model.ToArray());
        Assert.Equal(whole.Links.Sum(l => l.Uplink.TotalBits + l.Downlink.TotalBits), restored.Links.Sum(l => l.Uplink.TotalBits + l.Downlink.TotalBits));
    }

    [Theory]
    [InlineData("asylpg", "--staleness 2 is below W − 1", 2, 0.5, null)]
    [InlineData("asylpg", "--precision μ_q must lie in (0, 1)", null, 2.0, null)]
    [InlineData("qsgd", "--downlink snapshot needs a variance-reduced method", null, 0.5, ModelCode.Snapshot)]
    public void Bad_asynchronous_options_are_refused(string method, string expected, int? staleness, double precision, ModelCode? downlink) =>
        Assert.Contains(expected, Assert.Throws<DiffQuantException>(() => (Options(method) with { Staleness = staleness, ModelPrecision = precision, Downlink = downlink }).Validate()).Message);

    /// <summary>
    /// On a slowly moving model (as late in training), reads with one scale err by about max|x|/s however small the moves,
    /// while differential reads err by at most μ_q of each move: the simple idea's loss and its remedy.
    /// </summary>
    [Fact]
    public void Differential_model_reads_track_a_slow_model_that_one_scale_cannot()
    {
        const int d = 300;
        var model = Vector(d, 5);
        var scaled = new ModelChannel(ModelCode.Scaled, d, 4, null, 0.5);
        var differential = new ModelChannel(ModelCode.Differential, d, 2, null, 0.5);
        var scaledCopy = new float[d];
        var differentialCopy = (float[])model.Clone();
        var error = new float[d];
        double scaledError = 0, differentialError = 0, moves = 0;
        for (var t = 0; t < 200; t++)
        {
            var move = Vector(d, 100 + t, 1e-3);
            TensorPrimitives.Add(model, move, model);
            moves += TensorPrimitives.SumOfSquares(move);
            scaled.Write(new BitWriter(), model, default, scaledCopy, new CompressionContext(t, 1));
            differential.Write(new BitWriter(), model, default, differentialCopy, new CompressionContext(t, 1));
            TensorPrimitives.Subtract(scaledCopy, model, error);
            scaledError += TensorPrimitives.SumOfSquares(error);
            TensorPrimitives.Subtract(differentialCopy, model, error);
            differentialError += TensorPrimitives.SumOfSquares(error);
        }

        Assert.True(differentialError < 1e-3 * scaledError, $"differential {differentialError} vs one scale {scaledError}");
        Assert.True(differentialError <= 2 * moves, $"differential {differentialError} vs the moves' {moves}");
    }

    /// <summary>One class against the rest is a two-class problem (binary logistic regression with the softmax model).</summary>
    [Fact]
    public void One_class_against_the_rest_is_binary_logistic_regression()
    {
        var binary = Data.OneVsRest(2);
        Assert.Equal(2, binary.Train.Classes);
        Assert.All(Enumerable.Range(0, Data.Train.Count), i => Assert.Equal(Data.Train.Label(i) == 2 ? 1 : 0, binary.Train.Label(i)));
        var result = Trainer.Run(binary, Options("asylpg"));
        Assert.True(result.TestAccuracy >= 0.9, $"accuracy {result.TestAccuracy}");
        Assert.Contains("is not one of the 4 classes", Assert.Throws<DiffQuantException>(() => Data.OneVsRest(4)).Message);
    }

    /// <summary>A comparison writes its table and curves; the downlink plot shows each method's measured downlink bits.</summary>
    [Fact]
    public void A_comparison_writes_curves_against_both_directions()
    {
        var options = Options("svrg") with { Epochs = 1 };
        var result = DiffQuant.Lab.TrainComparison.Run(Data, options, ["svrg", "asylpg"], seeds: 1);
        var directory = Path.Combine(Path.GetTempPath(), $"dq-compare-{Environment.ProcessId}");
        DiffQuant.Lab.TrainFiles.Write(result, directory);
        foreach (var stem in new[] { "frontier", "accuracy-uplink", "accuracy-downlink", "loss-uplink", "loss-downlink" })
        {
            Assert.True(File.Exists(Path.Combine(directory, stem + ".png")), stem);
        }

        var plot = DiffQuant.Lab.TrainPlot.Curves(result.Runs, "test", DiffQuant.Lab.TrainPlot.Axis.Downlink, DiffQuant.Lab.TrainPlot.Axis.Loss);
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(["svrg", "asylpg"], lines.Select(l => l.LegendText));
        for (var i = 0; i < lines.Count; i++)
        {
            var points = lines[i].Data.GetScatterPoints();
            Assert.Equal(result.Runs[i].Curve.Select(p => Math.Log10(p.DownlinkBits)), points.Select(p => p.X));
            Assert.Equal(result.Runs[i].Curve.Select(p => p.TestLoss), points.Select(p => p.Y));
        }

        Assert.True(lines[1].Data.GetScatterPoints()[^1].X < lines[0].Data.GetScatterPoints()[^1].X - 0.5, "AsyLPG's quantized reads should need several times fewer downlink bits");
        Directory.Delete(directory, recursive: true);
    }
}
