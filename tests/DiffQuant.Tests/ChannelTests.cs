using DiffQuant.Bits;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

/// <summary>The link meters what it carries, splits information from framing, and refuses what could smuggle bits.</summary>
public class ChannelTests
{
    private static Payload Message(MessageKind kind, long bodyBits, int version = 0)
    {
        var writer = new BitWriter();
        Envelope.Begin(writer, kind, version);
        for (var i = 0; i < bodyBits; i++)
        {
            writer.Write(1, 1);
        }

        return writer.ToPayload();
    }

    [Fact]
    public void Meters_count_information_setup_and_framing_bits_apart()
    {
        var link = new Link(0, uplinkBudgetBits: 10, setupBudgetBits: 192);
        link.SendUplink(Message(MessageKind.Setup, 192));
        link.SendUplink(Message(MessageKind.Gradient, 10));
        link.SendUplink(Message(MessageKind.Gradient, 7, version: 1));
        link.SendDownlink(Message(MessageKind.Iterate, 64));
        Assert.Equal(3, link.Uplink.Messages);
        Assert.Equal(209, link.Uplink.TotalBits);
        Assert.Equal(192, link.Uplink.SetupBits);
        Assert.Equal(3 * Envelope.HeaderBits, link.Uplink.FramingBits);
        Assert.Equal(10, link.Uplink.MaxMessageBits);
        Assert.Equal(64, link.Downlink.TotalBits);
    }

    [Fact]
    public void An_asynchronous_gradient_pays_for_its_version_as_information()
    {
        var link = new Link(0, uplinkBudgetBits: 10, setupBudgetBits: 192);
        link.SendUplink(Message(MessageKind.AsyncGradient, 10, version: 5));
        Assert.Equal(10 + Envelope.VersionBits, link.Uplink.TotalBits);
        Assert.Equal(Envelope.KindBits, link.Uplink.FramingBits);
    }

    [Fact]
    public void Message_over_the_budget_is_refused_and_not_counted()
    {
        var link = new Link(0, uplinkBudgetBits: 10, setupBudgetBits: 192);
        var error = Assert.Throws<DiffQuantException>(() => link.SendUplink(Message(MessageKind.Gradient, 11)));
        Assert.Contains("exceeds the budget of 10 bits", error.Message);
        Assert.Equal(0, link.Uplink.TotalBits);
    }

    [Fact]
    public void A_setup_longer_than_the_protocols_setup_is_refused_and_not_counted()
    {
        var link = new Link(0, uplinkBudgetBits: 10, setupBudgetBits: 32);
        var error = Assert.Throws<DiffQuantException>(() => link.SendUplink(Message(MessageKind.Setup, 33)));
        Assert.Contains("setup of 33 bits exceeds the setup's 32 bits", error.Message);
        Assert.Equal(0, link.Uplink.TotalBits);
        link.SendUplink(Message(MessageKind.Setup, 32));
        Assert.Equal(32, link.Uplink.SetupBits);
    }

    /// <summary>The longest message a transport must accept: the envelope and the larger of the two budgets, in whole bytes.</summary>
    [Theory]
    [InlineData(10, 192, 29)]
    [InlineData(1000, 32, 130)]
    [InlineData(1001, 32, 131)]
    public void The_largest_uplink_message_is_the_envelope_and_the_larger_budget(long budget, long setup, long bytes)
    {
        var link = new Link(0, budget, setup);
        Assert.Equal(bytes, link.LargestUplinkBytes);
        var (kind, longest) = (setup >= budget ? MessageKind.Setup : MessageKind.Gradient, Math.Max(budget, setup));
        Assert.Equal(bytes, link.SendUplink(Message(kind, longest)).Bytes.Length);
        Assert.Throws<DiffQuantException>(() => link.SendUplink(Message(kind, longest + 1)));
    }

    [Fact]
    public void Non_zero_padding_a_short_envelope_or_a_wrong_direction_is_refused()
    {
        var link = new Link(0, uplinkBudgetBits: 16, setupBudgetBits: 192);
        var good = Message(MessageKind.Gradient, 3).Bytes.ToArray();
        good[^1] |= 1;
        Assert.Contains("padding", Assert.Throws<DiffQuantException>(() => link.SendUplink(new Payload(good, Envelope.HeaderBits + 3))).Message);
        Assert.Contains("envelope", Assert.Throws<DiffQuantException>(() => link.SendUplink(new Payload(new byte[2], 12))).Message);
        Assert.Contains("cannot travel", Assert.Throws<DiffQuantException>(() => link.SendUplink(Message(MessageKind.Iterate, 0))).Message);
        Assert.Contains("cannot travel", Assert.Throws<DiffQuantException>(() => link.SendDownlink(Message(MessageKind.Gradient, 0))).Message);
        Assert.Contains("unknown message kind", Assert.Throws<DiffQuantException>(() => link.SendUplink(new Payload(new byte[5], 40))).Message);
    }

    [Fact]
    public void Declared_length_longer_than_the_bytes_is_refused()
    {
        var link = new Link(0, uplinkBudgetBits: 64, setupBudgetBits: 192);
        var message = Message(MessageKind.Gradient, 0);
        Assert.Throws<DiffQuantException>(() => link.SendUplink(new Payload(message.Bytes, 48)));
    }

    [Fact]
    public void Receiver_gets_a_copy_not_the_sender_buffer()
    {
        var link = new Link(0, uplinkBudgetBits: 8, setupBudgetBits: 192);
        var sent = Message(MessageKind.Gradient, 8).Bytes.ToArray();
        var received = link.SendUplink(new Payload(sent, Envelope.HeaderBits + 8));
        sent[^1] = 0;
        Assert.Equal(0xFF, received.Bytes.Span[^1]);
    }
}
