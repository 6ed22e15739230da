using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

/// <summary>What crosses the channel, and that nothing else reaches the server.</summary>
public class ProtocolTests
{
    private static MethodConfig Config(string method, double rate, int n, string quantizer = "cube") =>
        new() { Method = MethodSpec.Parse(method), Quantizer = QuantizerSpec.Parse(quantizer, rate), Dimension = n };

    [Theory]
    [InlineData("dq-agd", "cube", 5.0)]
    [InlineData("nq-hb", "dithered", 7.5)]
    [InlineData("gd", "float32", 32)]
    public void A_fresh_server_fed_only_the_recorded_bytes_reaches_the_same_iterate(string method, string quantizer, double rate)
    {
        var problem = TestData.SmallGaussian();
        var config = Config(method, rate, problem.Dimension, quantizer);
        var x0 = TestData.InitialPoint(problem.Dimension);
        var recorded = new List<Payload>();
        var worker = LocalRun.CreateWorker(problem, config);
        var server = new GradientServer(config, x0);
        var channel = new Channel(config.Quantizer.Create(problem.Dimension).BudgetBits);
        var setup = worker.Handle(channel.SendDownlink(server.Open(), setup: true));
        recorded.Add(new Payload(setup.Bytes.ToArray(), setup.BitLength));
        var downlink = server.Handle(channel.SendUplink(setup, setup: true));
        for (var t = 0; t < 25; t++)
        {
            var uplink = worker.Handle(channel.SendDownlink(downlink));
            recorded.Add(new Payload(uplink.Bytes.ToArray(), uplink.BitLength));
            downlink = server.Handle(channel.SendUplink(uplink));
        }

        var replay = new GradientServer(config, x0);
        replay.Open();
        foreach (var payload in recorded)
        {
            replay.Handle(payload);
        }

        Assert.Equal(25, replay.Iterations);
        Assert.Equal(server.Iterate.ToArray(), replay.Iterate.ToArray());
        Assert.Equal(recorded.Sum(p => p.BitLength), channel.Uplink.TotalBits);
    }

    [Fact]
    public void The_server_learns_L_mu_and_D_from_the_setup_message()
    {
        var problem = TestData.SmallGaussian();
        var config = Config("dq-gd", 4, problem.Dimension);
        var x0 = TestData.InitialPoint(problem.Dimension);
        var server = new GradientServer(config, x0);
        var worker = LocalRun.CreateWorker(problem, config);
        var channel = new Channel(config.Quantizer.Create(problem.Dimension).BudgetBits);
        server.Handle(channel.SendUplink(worker.Handle(channel.SendDownlink(server.Open(), setup: true)), setup: true));
        var expectedD = TestData.Norm(x0.Zip(problem.Solution!, (a, b) => a - b).ToArray());
        Assert.Equal(new SetupMessage(problem.L, problem.Mu, expectedD), server.Setup);
        Assert.Equal(SetupMessage.Bits, channel.Uplink.SetupBits);
        Assert.Equal(64L * problem.Dimension, channel.Downlink.SetupBits);
        Assert.Equal(Tuning.For(Momentum.None, problem.L, problem.Mu), server.Tuning);
    }

    [Fact]
    public void Every_iteration_message_fills_exactly_floor_n_R_bits_at_fractional_rates()
    {
        var problem = TestData.SmallGaussian(n: 21);
        foreach (var rate in new[] { 0.5, 2.3, 7.77 })
        {
            var result = LocalRun.Execute(problem, Config("dq-gd", rate, 21), TestData.InitialPoint(21), new StopRule { MaxIterations = 12 });
            var budget = BitAllocation.Budget(21, rate);
            Assert.Equal(budget, result.MaxMessageBits);
            Assert.Equal(SetupMessage.Bits + (12 * budget), result.UplinkBits);
            Assert.Equal(64L * 21 * 12, result.DownlinkBits);
        }
    }

    [Fact]
    public void A_malformed_setup_or_oversized_message_is_refused()
    {
        var config = Config("dq-gd", 4, 5);
        var server = new GradientServer(config, new double[5]);
        server.Open();
        Assert.Throws<DiffQuantException>(() => server.Handle(new Payload(new byte[8], 64)));
        var writer = new BitWriter();
        new SetupMessage(1, -1, 1).Write(writer);
        var error = Assert.Throws<DiffQuantException>(() => server.Handle(writer.ToPayload()));
        Assert.Contains("μ", error.Message);
        writer.Reset();
        new SetupMessage(2, 1, 1).Write(writer);
        server.Handle(writer.ToPayload());
        Assert.Throws<DiffQuantException>(() => server.Handle(new Payload(new byte[3], 21)));
    }

    [Fact]
    public void Mismatched_method_and_quantizer_are_refused()
    {
        Assert.Throws<DiffQuantException>(() => Config("gd", 4, 5).Validate());
        Assert.Throws<DiffQuantException>(() => Config("dq-gd", 4, 5, "float64").Validate());
        Assert.Throws<DiffQuantException>(() => MethodSpec.Parse("dq-sgd"));
        Assert.Throws<DiffQuantException>(() => QuantizerSpec.Parse("lattice", 3));
    }
}
