using DiffQuant.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DiffQuant.Tests;

/// <summary>
/// Orleans' wire form of a worker's reply: within its link's limit it round-trips; beyond it, or from a grain no link of
/// this process answers over, the body is skipped unread (no array of its size is allocated) and the reply's other
/// fields still arrive.
/// </summary>
public sealed class UplinkMessageCodecTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(UplinkMessage).Assembly)).BuildServiceProvider();
    private readonly object _owner = new();

    private Orleans.Serialization.Serializer Serializer => _services.GetRequiredService<Serializer>();

    public void Dispose() => _services.Dispose();

    private WorkerReply Receive(byte[] wire) => Serializer.Deserialize<WorkerReply>(wire) ?? throw new InvalidOperationException("no reply decoded");

    private static WorkerReply Reply(string link, int bytes) => new()
    {
        Message = new UplinkMessage { Link = link, Bytes = [.. Enumerable.Range(0, bytes).Select(i => (byte)i)], BitLength = (8L * bytes) - 3 },
        Losses = new LossTally(2.5, 7),
        Overloads = 11,
        Seconds = 0.25,
    };

    [Fact]
    public void A_reply_within_its_links_limit_round_trips()
    {
        UplinkLimits.Set("codec/within", 300, _owner);
        var sent = Reply("codec/within", 300);
        var received = Receive(Serializer.SerializeToArray(sent));
        Assert.Null(received.Message.Refusal);
        Assert.Equal(sent.Message.Bytes, received.Message.Bytes);
        Assert.Equal(sent.Message.BitLength, received.Message.BitLength);
        Assert.Equal("codec/within", received.Message.Link);
        Assert.Equal((sent.Losses, sent.Overloads, sent.Seconds), (received.Losses, received.Overloads, received.Seconds));
    }

    [Fact]
    public void A_longer_reply_is_skipped_unread_and_the_rest_of_the_reply_arrives()
    {
        const int Body = 8 << 20;
        UplinkLimits.Set("codec/over", Body - 1, _owner);
        var wire = Serializer.SerializeToArray(Reply("codec/over", Body));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var received = Receive(wire);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"a reply of {Body} bytes from worker grain 'codec/over' exceeds its link's longest message ({Body - 1} bytes) and was refused unread.", received.Message.Refusal);
        Assert.Empty(received.Message.Bytes);
        Assert.True(allocated < Body / 64, $"refusing an {Body}-byte body allocated {allocated} bytes");
        Assert.Equal((new LossTally(2.5, 7), 11L, 0.25), (received.Losses, received.Overloads, received.Seconds));

        UplinkLimits.Set("codec/over", Body, _owner);
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(Body, Receive(wire).Message.Bytes.Length);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before >= Body, "an accepted body is read into its own array");
    }

    [Fact]
    public void A_reply_from_a_grain_no_link_answers_over_is_refused()
    {
        var received = Receive(Serializer.SerializeToArray(Reply("codec/unknown", 5)));
        Assert.Equal("a reply of 5 bytes from worker grain 'codec/unknown', which no link of this process answers over, was refused unread.", received.Message.Refusal);
    }

    [Fact]
    public void A_limit_goes_with_its_owner()
    {
        SetWithShortLivedOwner("codec/gone");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Contains("which no link of this process answers over", UplinkLimits.Refusal("codec/gone", 1));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void SetWithShortLivedOwner(string link) => UplinkLimits.Set(link, 100, new object());
}
