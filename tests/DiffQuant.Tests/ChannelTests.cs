using DiffQuant.Bits;
using DiffQuant.Transport;

namespace DiffQuant.Tests;

public class ChannelTests
{
    private static Payload Bits(long count)
    {
        var writer = new BitWriter();
        for (var i = 0; i < count; i++)
        {
            writer.Write(1, 1);
        }

        return writer.ToPayload();
    }

    [Fact]
    public void Meters_count_bits_and_separate_setup()
    {
        var channel = new Channel(uplinkBudgetBits: 10);
        channel.SendUplink(Bits(192), setup: true);
        channel.SendUplink(Bits(10));
        channel.SendUplink(Bits(7));
        channel.SendDownlink(Bits(64));
        Assert.Equal(3, channel.Uplink.Messages);
        Assert.Equal(209, channel.Uplink.TotalBits);
        Assert.Equal(192, channel.Uplink.SetupBits);
        Assert.Equal(10, channel.Uplink.MaxMessageBits);
        Assert.Equal(64, channel.Downlink.TotalBits);
    }

    [Fact]
    public void Message_over_the_budget_is_refused_and_not_counted()
    {
        var channel = new Channel(uplinkBudgetBits: 10);
        var error = Assert.Throws<DiffQuantException>(() => channel.SendUplink(Bits(11)));
        Assert.Contains("exceeds the budget of 10 bits", error.Message);
        Assert.Equal(0, channel.Uplink.TotalBits);
    }

    [Fact]
    public void Non_zero_padding_is_refused()
    {
        var channel = new Channel(uplinkBudgetBits: 16);
        var smuggled = new Payload(new byte[] { 0b1010_0001 }, 3);
        var error = Assert.Throws<DiffQuantException>(() => channel.SendUplink(smuggled));
        Assert.Contains("padding", error.Message);
    }

    [Fact]
    public void Declared_length_longer_than_the_bytes_is_refused()
    {
        var channel = new Channel(uplinkBudgetBits: 64);
        Assert.Throws<DiffQuantException>(() => channel.SendUplink(new Payload(new byte[1], 9)));
    }

    [Fact]
    public void Receiver_gets_a_copy_not_the_sender_buffer()
    {
        var channel = new Channel(uplinkBudgetBits: 8);
        var sent = new byte[] { 0xAB };
        var received = channel.SendUplink(new Payload(sent, 8));
        sent[0] = 0;
        Assert.Equal(0xAB, received.Bytes.Span[0]);
    }
}
