using DiffQuant.Bits;
using DiffQuant.Methods;
using DiffQuant.Problems;
using DiffQuant.Quantization;
using DiffQuant.Ranges;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

/// <summary>
/// The relay downlink: each worker's replica of the server applies the round's messages itself, so the run is the
/// one the iterate downlink gives, bit for bit, while the downlink carries x̂_0 once, the other workers' setups with
/// the go message, and then only the other workers' message bodies (each after its length).
/// </summary>
public class RelayDownlinkTests
{
    private static MethodConfig Config(string method, int workers, string range, DownlinkContent content) => new()
    {
        Method = MethodSpec.Parse(method),
        Quantizer = MethodSpec.Parse(method).Compensation.Quantizes ? QuantizerSpec.Parse("cube", 6) : QuantizerSpec.Float64,
        Dimension = 20,
        Workers = workers,
        Range = RangePolicyNames.Parse(range),
        DownlinkContent = content,
    };

    [Theory]
    [InlineData("dq-gd", 1, "worst-case")]
    [InlineData("dq-hb", 1, "worst-case")]
    [InlineData("dq-agd", 1, "worst-case")]
    [InlineData("nq-gd", 1, "paper")]
    [InlineData("ef-gd", 1, "adaptive")]
    [InlineData("gd", 1, "worst-case")]
    [InlineData("dq-gd", 3, "worst-case")]
    [InlineData("ef-gd", 3, "worst-case")]
    [InlineData("nq-gd", 4, "adaptive")]
    public void The_relay_gives_the_same_run_with_the_downlink_it_counts(string method, int workers, string range)
    {
        var problem = LeastSquaresShards.Split(TestData.SmallGaussian(), workers);
        var x0 = TestData.InitialPoint(problem.Dimension);
        var stop = new StopRule { MaxIterations = 40 };
        var iterate = LocalRun.Execute(problem, Config(method, workers, range, DownlinkContent.Iterate), x0, stop);
        var relay = LocalRun.Execute(problem, Config(method, workers, range, DownlinkContent.Relay), x0, stop);

        Assert.Equal(iterate.Iterations, relay.Iterations);
        Assert.Equal(iterate.Iterate.Select(BitConverter.DoubleToInt64Bits), relay.Iterate.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(iterate.UplinkBits, relay.UplinkBits);
        Assert.Equal(iterate.Overloads, relay.Overloads);

        // Per worker: x̂_0 in binary64 and the go message with the others' setups, then T − 1 rounds of the others' bodies.
        var body = Config(method, workers, range, DownlinkContent.Relay).Quantizer.Create(problem.Dimension).BudgetBits;
        var perWorker = (64L * problem.Dimension) + GoMessage.Bits + ((workers - 1L) * SetupMessage.Bits)
            + ((relay.Iterations - 1L) * (workers - 1) * (RelayedMessages.LengthBits(body) + body));
        Assert.All(relay.Links, link => Assert.Equal(perWorker, link.Downlink.TotalBits));
        Assert.True(workers > 1 || relay.DownlinkBits < iterate.DownlinkBits / 10, $"one worker's relay downlink {relay.DownlinkBits} bits, the iterate's {iterate.DownlinkBits}");
    }

    [Fact]
    public void The_relay_is_refused_where_it_cannot_hold()
    {
        Assert.Contains("--downlink relay needs synchronous rounds", Assert.Throws<DiffQuantException>(() => (Config("dq-gd", 2, "adaptive", DownlinkContent.Relay) with { Mode = ServerMode.Async(2) }).Validate()).Message);
        Assert.Contains("--downlink relay sends x̂_0 once as float64", Assert.Throws<DiffQuantException>(() => (Config("dq-gd", 1, "worst-case", DownlinkContent.Relay) with { Downlink = QuantizerSpec.Parse("float32", 32) }).Validate()).Message);
    }

    /// <summary>A relayed body longer than its link's budget, or than the message, is refused with what it claims.</summary>
    [Fact]
    public void A_relayed_length_past_the_budget_or_the_message_is_refused()
    {
        foreach (var (claimed, budget) in new[] { (100L, 96L), (90L, 96L) })
        {
            var writer = new BitWriter();
            writer.Write((ulong)claimed, RelayedMessages.LengthBits(budget));
            writer.Write(0, 40);
            var payload = writer.ToPayload();
            var error = Assert.Throws<DiffQuantException>(() =>
            {
                var reader = new BitReader(payload);
                RelayedMessages.Read(ref reader, budget, MessageKind.Gradient, 3, new BitWriter());
            });
            Assert.Contains($"a relayed body claims {claimed} bits; its link's budget is {budget}", error.Message);
        }
    }
}
