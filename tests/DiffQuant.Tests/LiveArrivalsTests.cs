using CsCheck;
using DiffQuant.Running;

namespace DiffQuant.Tests;

/// <summary>
/// Live arrivals: the first finished message is taken unless the staleness bound τ makes the server wait for the
/// worker whose deadline is nearest; the order is recorded and a replay follows it once through.
/// </summary>
public class LiveArrivalsTests
{
    private static readonly Task Done = Task.CompletedTask;

    /// <summary>
    /// Every answer finished: the lowest index would always win, so the order shows τ alone. With K = 3 and τ = 4, worker
    /// 0 arrives until worker 1 would otherwise be more than 4 updates stale, then workers 1 and 2 get their turns.
    /// </summary>
    [Fact]
    public void With_every_answer_finished_the_staleness_bound_decides_the_order()
    {
        var schedule = ArrivalSchedule.AsTheyArrive(3, maxStaleness: 4);
        var order = Enumerable.Range(0, 10).Select(_ => schedule.Next([Done, Done, Done])).ToArray();
        Assert.Equal([0, 0, 0, 1, 2, 0, 0, 0, 1, 2], order);
        Assert.Equal(order, schedule.Recorded);
        Assert.Equal(10, schedule.Position);
    }

    /// <summary>At τ = K − 1, the least bound there is, live arrivals are forced into round-robin.</summary>
    [Fact]
    public void At_the_least_bound_the_order_is_round_robin()
    {
        var schedule = ArrivalSchedule.AsTheyArrive(3, maxStaleness: 2);
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(_ => schedule.Next([Done, Done, Done])));
        Assert.Contains("τ = 1 is below K − 1 = 2", Assert.Throws<DiffQuantException>(() => ArrivalSchedule.AsTheyArrive(3, 1)).Message);
    }

    /// <summary>
    /// Whichever messages have finished (any non-empty set at each arrival; the others never finish), the schedule takes
    /// the first finished one when τ allows and never lets a worker's gradient be more than τ updates stale.
    /// </summary>
    [Fact]
    public void No_arrival_is_ever_staler_than_the_bound() =>
        TestData.ForEachCase(
            Gen.Int[1, 6].SelectMany(k => Gen.Int[0, 4].SelectMany(extra => Gen.Int[1, (1 << k) - 1].Array[1, 200].Select(finished => (K: k, Tau: k - 1 + extra, Finished: finished)))),
            200,
            c =>
            {
                var schedule = ArrivalSchedule.AsTheyArrive(c.K, c.Tau);
                var never = new TaskCompletionSource().Task;
                var last = Enumerable.Repeat(-1L, c.K).ToArray();
                for (var j = 0L; j < c.Finished.Length; j++)
                {
                    var mask = c.Finished[j];
                    var pick = schedule.Next([.. Enumerable.Range(0, c.K).Select(w => ((mask >> w) & 1) == 1 ? Done : never)]);
                    Assert.InRange(j - last[pick] - 1, 0, c.Tau);
                    last[pick] = j;
                    Assert.All(last, l => Assert.True(j - l <= c.Tau + 1, $"a worker last arrived at {l}, too long before arrival {j}"));
                }
            });

    /// <summary>A restored schedule continues exactly as the one whose record it was given.</summary>
    [Fact]
    public void A_restored_schedule_continues_as_the_original()
    {
        var original = ArrivalSchedule.AsTheyArrive(3, maxStaleness: 4);
        for (var j = 0; j < 4; j++)
        {
            original.Next([Done, Done, Done]);
        }

        var restored = ArrivalSchedule.AsTheyArrive(3, maxStaleness: 4);
        restored.Restore(original.Position, [.. original.Recorded!]);
        Assert.Equal(Enumerable.Range(0, 6).Select(_ => original.Next([Done, Done, Done])).ToArray(), Enumerable.Range(0, 6).Select(_ => restored.Next([Done, Done, Done])).ToArray());
    }

    [Fact]
    public void A_replay_follows_its_record_once_and_refuses_to_run_past_it()
    {
        var replay = ArrivalSchedule.Replay([2, 0, 1]);
        Assert.Equal([2, 0, 1], Enumerable.Range(0, 3).Select(_ => replay.Next(3)));
        Assert.Contains("the recorded arrival order has 3 arrivals and the run needs more", Assert.Throws<DiffQuantException>(() => replay.Next(3)).Message);
        Assert.Contains("names worker 2, but there are 2", Assert.Throws<DiffQuantException>(() => ArrivalSchedule.Replay([2]).Next(2)).Message);
    }
}
