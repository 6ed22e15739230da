using CsCheck;
using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Quantization;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

/// <summary>What crosses the links, and that nothing else reaches the server.</summary>
public class ProtocolTests
{
    private static MethodConfig Config(string method, double rate, int n, string quantizer = "cube", int workers = 1) =>
        new() { Method = MethodSpec.Parse(method), Quantizer = QuantizerSpec.Parse(quantizer, rate), Dimension = n, Workers = workers };

    /// <summary>A session whose links record every uplink payload in the order the server handled them.</summary>
    private static (Session Session, List<(int Link, Payload Payload)> Recorded) Recording(Problems.Problem problem, MethodConfig config, double[] x0)
    {
        var session = LocalRun.CreateSession(problem, config, x0);
        var recorded = new List<(int, Payload)>();
        var server = new RecordingServer((GradientServer)session.Server, recorded);
        var workers = Enumerable.Range(0, config.Workers).Select(k => (IWorker)LocalRun.CreateWorker(problem.ShardsFor(config.Workers)[k], config, k, null, problem.Solution)).ToList();
        return (new Session(server, workers, session.Links), recorded);
    }

    [Theory]
    [InlineData("dq-agd", "cube", 5.0, 1)]
    [InlineData("nq-hb", "dithered", 7.5, 1)]
    [InlineData("gd", "float32", 32, 1)]
    [InlineData("dq-gd", "cube", 4.0, 3)]
    [InlineData("nq-gd", "dithered", 5.5, 3)]
    public void A_fresh_server_fed_only_the_recorded_bytes_reaches_the_same_iterate(string method, string quantizer, double rate, int workers)
    {
        var problem = Problems.LeastSquaresShards.Split(TestData.SmallGaussian(), workers);
        var config = Config(method, rate, problem.Dimension, quantizer, workers);
        var x0 = TestData.InitialPoint(problem.Dimension);
        var (session, recorded) = Recording(problem, config, x0);
        session.Start();
        for (var t = 0; t < 25; t++)
        {
            session.Round();
        }

        var replay = new GradientServer(config, x0);
        replay.Open();
        foreach (var (link, payload) in recorded)
        {
            replay.Handle(link, payload);
        }

        Assert.Equal(25, replay.Iterations);
        Assert.Equal(session.Server.Iterate.ToArray(), replay.Iterate.ToArray());
        Assert.Equal(recorded.Sum(p => p.Payload.BitLength), session.Links.Sum(l => l.Uplink.TotalBits + l.Uplink.FramingBits));
    }

    [Fact]
    public void The_server_learns_L_mu_and_D_from_the_setup_message()
    {
        var problem = TestData.SmallGaussian();
        var config = Config("dq-gd", 4, problem.Dimension);
        var x0 = TestData.InitialPoint(problem.Dimension);
        var session = LocalRun.CreateSession(problem, config, x0);
        session.Start();
        session.Round();
        var server = (GradientServer)session.Server;
        var expectedD = TestData.Norm(x0.Zip(problem.Solution!, (a, b) => a - b).ToArray());
        var setup = SetupMessage.Create(problem.L, problem.Mu, expectedD);
        Assert.Equal(setup, server.Setups[0]);
        Assert.Equal(SetupMessage.Bits, session.Links[0].Uplink.SetupBits);
        Assert.Equal((64L * problem.Dimension) + GoMessage.Bits, session.Links[0].Downlink.SetupBits);
        Assert.Equal(SetupMessage.Bits + session.Links[0].UplinkBudgetBits, session.Links[0].Uplink.TotalBits);
        Assert.Equal(Tuning.For(Momentum.None, setup.L, setup.Mu), server.Tuning);
    }

    [Fact]
    public void Every_iteration_message_fills_exactly_floor_n_R_bits_at_fractional_rates_and_framing_is_apart()
    {
        var problem = TestData.SmallGaussian(n: 21);
        foreach (var rate in new[] { 0.5, 2.3, 7.77 })
        {
            var result = LocalRun.Execute(problem, Config("dq-gd", rate, 21), TestData.InitialPoint(21), new StopRule { MaxIterations = 12 });
            var budget = BitAllocation.Budget(21, rate);
            Assert.Equal(budget, result.MaxMessageBits);
            Assert.Equal(SetupMessage.Bits + (12 * budget), result.UplinkBits);
            Assert.Equal((64L * 21 * 12) + GoMessage.Bits, result.DownlinkBits);

            // Opening, setup, go, then 12 gradients and 11 iterates, each with a 40-bit envelope.
            Assert.Equal((3 + 12 + 11) * Envelope.HeaderBits, result.FramingBits);
        }
    }

    /// <summary>
    /// The setup's 16-bit fields round outward — L and the scale up, μ down — by less than 2^−7 of the value (for normal
    /// binary32 magnitudes, above 1.2e-38), and what a worker computes is what the server reads, bit for bit; values
    /// beyond the format are refused by name.
    /// </summary>
    [Fact]
    public void Setup_fields_round_outward_to_sixteen_bits()
    {
        TestData.ForEachCase(Gen.Select(Gen.Double[1e-30, 1e30], Gen.Double[1e-30, 1e30], Gen.Double[1e-6, 1]), 500, c =>
        {
            var (l, scale, share) = c;
            var setup = SetupMessage.Create(l, l * share, scale);
            Assert.InRange(setup.L, l, l * (1 + Math.Pow(2, -7)));
            Assert.InRange(setup.Scale, scale, scale * (1 + Math.Pow(2, -7)));
            Assert.InRange(setup.Mu, l * share * (1 - Math.Pow(2, -7)), l * share);
            var writer = new BitWriter();
            setup.Write(writer);
            Assert.Equal(SetupMessage.Bits, writer.BitLength);
            var reader = new BitReader(writer.ToPayload());
            Assert.Equal(setup, SetupMessage.Read(ref reader));
        });

        Assert.Equal(0, SetupMessage.Create(1, 0, 1).Mu);
        Assert.Contains("L = 1E+39 is outside the setup message's range", Assert.Throws<DiffQuantException>(() => SetupMessage.Create(1e39, 1, 1)).Message);
        Assert.Contains("μ must be a finite non-negative number", Assert.Throws<DiffQuantException>(() => SetupMessage.Create(1, double.NaN, 1)).Message);
    }

    [Fact]
    public void Malformed_setups_wrong_kinds_wrong_versions_and_oversized_messages_are_refused()
    {
        var config = Config("dq-gd", 4, 5);
        var server = new GradientServer(config, new double[5]);
        server.Open();
        var writer = new BitWriter();
        Envelope.Begin(writer, MessageKind.Setup, 0);
        writer.WriteDouble(1);
        Assert.Contains($"setup message has {SetupMessage.Bits} bits", Assert.Throws<DiffQuantException>(() => server.Handle(0, writer.ToPayload())).Message);
        Envelope.Begin(writer, MessageKind.Setup, 0);
        new SetupMessage(1, 2, 1).Write(writer);
        Assert.Contains("μ in the setup message must lie in [0, L], got 2", Assert.Throws<DiffQuantException>(() => server.Handle(0, writer.ToPayload())).Message);
        Envelope.Begin(writer, MessageKind.Gradient, 0);
        Assert.Contains("expected a Setup message", Assert.Throws<DiffQuantException>(() => server.Handle(0, writer.ToPayload())).Message);
        Envelope.Begin(writer, MessageKind.Setup, 0);
        new SetupMessage(2, 1, 1).Write(writer);
        Assert.Equal(ReplyTarget.All, server.Handle(0, writer.ToPayload()));
        Envelope.Begin(writer, MessageKind.Gradient, 3);
        writer.Write(0, 20);
        Assert.Contains("version 3 arrived while at version 0", Assert.Throws<DiffQuantException>(() => server.Handle(0, writer.ToPayload())).Message);
        Envelope.Begin(writer, MessageKind.Gradient, 0);
        writer.Write(0, 21);
        Assert.Contains("left over", Assert.Throws<DiffQuantException>(() => server.Handle(0, writer.ToPayload())).Message);
        Assert.Throws<DiffQuantException>(() => server.Handle(1, writer.ToPayload()));
    }

    [Fact]
    public void A_worker_refuses_an_iterate_out_of_order()
    {
        var problem = TestData.SmallGaussian();
        var config = Config("dq-gd", 4, problem.Dimension);
        var worker = LocalRun.CreateWorker(problem, config);
        var server = new GradientServer(config, TestData.InitialPoint(problem.Dimension));
        server.Handle(0, worker.Handle(server.Open()));
        worker.Handle(server.Outgoing(0));
        var writer = new BitWriter();
        Envelope.Begin(writer, MessageKind.Iterate, 2);
        writer.WriteDoubles(new double[problem.Dimension]);
        Assert.Contains("version 2 arrived after version 0", Assert.Throws<DiffQuantException>(() => worker.Handle(writer.ToPayload())).Message);
    }

    [Fact]
    public void Mismatched_method_quantizer_and_options_are_refused()
    {
        Assert.Throws<DiffQuantException>(() => Config("gd", 4, 5).Validate());
        Assert.Throws<DiffQuantException>(() => Config("dq-gd", 4, 5, "float64").Validate());
        Assert.Throws<DiffQuantException>(() => MethodSpec.Parse("dq-sgd"));
        Assert.Throws<DiffQuantException>(() => QuantizerSpec.Parse("lattice", 3));
        Assert.Contains("adaptive", Assert.Throws<DiffQuantException>(() => Config("ef-gd", 4, 5).Validate()).Message);
        Assert.Contains("several workers run GD methods", Assert.Throws<DiffQuantException>(() => Config("dq-hb", 4, 5, workers: 2).Validate()).Message);
        Assert.Contains("--downlink", Assert.Throws<DiffQuantException>(() => (Config("dq-gd", 4, 5) with { Downlink = QuantizerSpec.Parse("cube", 4) }).Validate()).Message);
    }

    /// <summary>Passes every call to the real server and records what it was handed.</summary>
    private sealed class RecordingServer(GradientServer inner, List<(int Link, Payload Payload)> recorded) : IServer
    {
        public int Workers => inner.Workers;

        public ReadOnlySpan<double> Iterate => inner.Iterate;

        public int Iterations => inner.Iterations;

        public bool CanContinue => inner.CanContinue;

        public Payload Open() => inner.Open();

        public ReplyTarget Handle(int link, Payload uplink)
        {
            recorded.Add((link, new Payload(uplink.Bytes.ToArray(), uplink.BitLength)));
            return inner.Handle(link, uplink);
        }

        public Payload Outgoing(int link) => inner.Outgoing(link);

        public byte[] Snapshot() => inner.Snapshot();

        public void Restore(ReadOnlySpan<byte> snapshot) => inner.Restore(snapshot);
    }
}
