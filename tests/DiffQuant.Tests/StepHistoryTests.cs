using DiffQuant.Quantization;
using DiffQuant.State;

namespace DiffQuant.Tests;

/// <summary>The link's step history: the exact sixteenth-octave of a ratio, the residual model, the prediction and its snapshot.</summary>
public class StepHistoryTests
{
    [Fact]
    public void Floor_steps_is_the_exact_floor_of_sixteen_log2()
    {
        for (var k = -400; k <= 400; k++)
        {
            var grid = OctaveScale.Scale(1, k, OctaveScale.MaxStepsPerOctave);
            Assert.Equal(k, OctaveScale.FloorSteps(grid));
            Assert.Equal(k - 1, OctaveScale.FloorSteps(Math.BitDecrement(grid)));
        }

        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            var x = Math.Exp((random.NextDouble() - 0.5) * 200);
            var exact = 16 * Math.Log2(x);
            if (Math.Abs(exact - Math.Round(exact)) > 1e-9)
            {
                Assert.Equal((int)Math.Floor(exact), OctaveScale.FloorSteps(x));
            }
        }

        Assert.Contains("positive normal", Assert.Throws<DiffQuantException>(() => OctaveScale.FloorSteps(0)).Message);
        Assert.Contains("positive normal", Assert.Throws<DiffQuantException>(() => OctaveScale.FloorSteps(-1)).Message);
    }

    /// <summary>The residual model fills 2^15 exactly, every symbol codable, symmetric and falling with |d|; d = 0 costs under 2 bits, the escape about 10.</summary>
    [Fact]
    public void The_residual_model_is_a_full_symmetric_table()
    {
        Assert.Equal(0u, StepHistory.SymbolCumulative(0));
        Assert.Equal(1u << StepHistory.TotalBits, StepHistory.SymbolCumulative(StepHistory.Escape) + StepHistory.SymbolFrequency(StepHistory.Escape));
        for (var d = 1; d <= StepHistory.Reach; d++)
        {
            var (below, above) = (StepHistory.SymbolFrequency(StepHistory.Reach - d), StepHistory.SymbolFrequency(StepHistory.Reach + d));
            Assert.Equal(below, above);
            Assert.True(above >= 1 && above <= StepHistory.SymbolFrequency(StepHistory.Reach + d - 1));
        }

        for (var s = 0; s <= StepHistory.Escape; s++)
        {
            Assert.Equal(s, StepHistory.FindSymbol(StepHistory.SymbolCumulative(s)));
            Assert.Equal(s, StepHistory.FindSymbol(StepHistory.SymbolCumulative(s) + StepHistory.SymbolFrequency(s) - 1));
        }

        double Bits(int s) => StepHistory.TotalBits - Math.Log2(StepHistory.SymbolFrequency(s));
        Assert.InRange(Bits(StepHistory.Reach), 1, 2);
        Assert.InRange(Bits(StepHistory.Escape), 9, 11);
    }

    /// <summary>A step and one change are needed; the prediction is the rounded mean of the last four changes.</summary>
    [Fact]
    public void The_prediction_is_the_rounded_mean_of_the_last_changes()
    {
        var history = new StepHistory();
        Assert.False(history.CanPredict);
        history.RecordIndexed(1);
        Assert.False(history.CanPredict);
        history.RecordIndexed(OctaveScale.Scale(1, -23, 16));
        Assert.True(history.CanPredict);
        Assert.Equal(-23, history.PredictedChange);

        history.RecordPredicted(StepHistory.Reach + 1); // change −22: mean −22.5 rounds to −22
        Assert.Equal(-22, history.PredictedChange);
        Assert.Equal(OctaveScale.Scale(OctaveScale.Scale(1, -23, 16), -22, 16), history.LastStep);
        Assert.Equal(OctaveScale.Scale(history.LastStep, -22 + 3, 16), history.PredictedStep(StepHistory.Reach + 3));
        foreach (var change in new[] { 4, 4, 4, 4 })
        {
            history.RecordPredicted(change - history.PredictedChange + StepHistory.Reach);
        }

        Assert.Equal(4, history.PredictedChange);
    }

    /// <summary>At the ends of the doubles the history stands aside: no prediction whose steps would leave the normal
    /// numbers, and no change recorded from a ratio that is not normal.</summary>
    [Fact]
    public void At_the_ends_of_the_doubles_the_index_takes_over()
    {
        var history = new StepHistory();
        history.RecordIndexed(1e-300);
        history.RecordIndexed(1e-306);
        Assert.False(history.CanPredict); // the finest residual would name a subnormal step

        var jump = new StepHistory();
        jump.RecordIndexed(1e-300);
        jump.RecordIndexed(1e300); // ratio 1e600: no change
        Assert.False(jump.CanPredict);
        Assert.Equal(1e300, jump.LastStep);
        jump.RecordIndexed(1e299);
        Assert.True(jump.CanPredict);
        Assert.Equal(OctaveScale.FloorSteps(1e299 / 1e300), jump.PredictedChange);
    }

    [Fact]
    public void A_history_round_trips_through_a_snapshot_and_a_bad_one_is_refused()
    {
        var history = new StepHistory();
        foreach (var step in new[] { 1.0, 0.3, 0.11, 0.04, 0.013, 0.005 })
        {
            history.RecordIndexed(step);
        }

        var writer = new SnapshotWriter("history");
        history.Save(writer);
        var restored = new StepHistory();
        restored.Load(new SnapshotReader(writer.ToArray(), "history"));
        Assert.Equal((history.LastStep, history.PredictedChange, history.CanPredict), (restored.LastStep, restored.PredictedChange, restored.CanPredict));

        var bad = new SnapshotWriter("history");
        bad.Write(1.0);
        bad.Write(StepHistory.Window + 1);
        bad.Write(0);
        for (var i = 0; i < StepHistory.Window; i++)
        {
            bad.Write(0);
        }

        Assert.Contains("step history is invalid", Assert.Throws<DiffQuantException>(() => new StepHistory().Load(new SnapshotReader(bad.ToArray(), "history"))).Message);
    }
}
