using DiffQuant.Cluster;

namespace DiffQuant.Tests;

/// <summary><see cref="SiloWatch.Wait"/> against calls and a membership that the test controls.</summary>
public class SiloWatchTests
{
    private static readonly SiloAddress Silo = SiloAddress.FromParsableString("127.0.0.1:11111@1");

    /// <summary>A call's own <see cref="TimeoutException"/> (e.g. Orleans' response timeout) is the call's answer, not the wait's.</summary>
    [Fact]
    public void A_calls_own_timeout_is_rethrown_as_it_is()
    {
        var call = Task.FromException<int>(new TimeoutException("the grain's own timeout"));
        Assert.Equal("the grain's own timeout", Assert.Throws<TimeoutException>(() => SiloWatch.Wait(call, TimeSpan.FromSeconds(5), null, _ => null)).Message);
    }

    /// <summary>A call that answers after a look at the membership (more than one <see cref="SiloWatch.Check"/>) is answered.</summary>
    [Fact]
    public void A_call_answering_after_a_check_returns_its_result()
    {
        var membership = new Membership();
        var call = Task.Delay(SiloWatch.Check * 1.5).ContinueWith(_ => 42, TaskScheduler.Default);
        Assert.Equal(42, SiloWatch.Wait(call, TimeSpan.FromSeconds(30), membership, _ => new InvalidOperationException("no silo died")));
        Assert.True(membership.Asked >= 1);
    }

    [Fact]
    public void A_call_that_never_answers_times_out()
    {
        var never = new TaskCompletionSource<int>().Task;
        Assert.Contains("no answer within 0.2 s", Assert.Throws<TimeoutException>(() => SiloWatch.Wait(never, TimeSpan.FromSeconds(0.2), null, _ => null)).Message);
    }

    /// <summary>A silo declared dead during the wait ends it with what <c>died</c> makes of it; a death it ignores does not.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_silo_declared_dead_meanwhile_ends_the_wait_when_it_matters(bool matters)
    {
        var membership = new Membership();
        var answer = new TaskCompletionSource<int>();
        var died = new List<SiloAddress>();
        membership.OnAsk = () =>
        {
            membership.Declared = new HashSet<SiloAddress> { Silo };
            if (!matters && died.Count > 0)
            {
                answer.TrySetResult(7);
            }
        };
        Exception? Stop(SiloAddress dead)
        {
            died.Add(dead);
            return matters ? new InvalidOperationException($"silo {dead} died") : null;
        }

        if (matters)
        {
            Assert.Equal($"silo {Silo} died", Assert.Throws<InvalidOperationException>(() => SiloWatch.Wait(answer.Task, TimeSpan.FromSeconds(30), membership, Stop)).Message);
        }
        else
        {
            Assert.Equal(7, SiloWatch.Wait(answer.Task, TimeSpan.FromSeconds(30), membership, Stop));
        }

        Assert.Equal(new[] { Silo }, died);
    }

    private sealed class Membership : ISiloLiveness
    {
        public IReadOnlySet<SiloAddress> Declared { get; set; } = new HashSet<SiloAddress>();

        public Action? OnAsk { get; set; }

        public int Asked { get; private set; }

        public IReadOnlySet<SiloAddress> KnownDead => Declared;

        public IReadOnlySet<SiloAddress> Dead()
        {
            Asked++;
            OnAsk?.Invoke();
            return Declared;
        }
    }
}
