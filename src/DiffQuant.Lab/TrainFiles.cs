using System.Globalization;
using System.Text;
using DiffQuant.Learning.Training;

namespace DiffQuant.Lab;

/// <summary>The outputs of `dq train`: JSON, the curve as CSV and the pictures, written through <see cref="ResultFiles"/>.</summary>
public static class TrainFiles
{
    /// <summary>train.json, curve.csv, accuracy-epochs.png/svg and accuracy-bits.png/svg.</summary>
    public static void Write(TrainResult result, string directory) => ResultFiles.Staged(directory, staging =>
    {
        ResultFiles.Text(Path.Combine(staging, "train.json"), ResultJson.Serialize(result));
        ResultFiles.Text(Path.Combine(staging, "curve.csv"), Csv(result));
        var title = $"{result.Method}, {result.Model} on {result.Data}, {result.Workers} workers";
        PlotStyle.Save(TrainPlot.AccuracyAgainstEpochs([result], title), staging, "accuracy-epochs");
        PlotStyle.Save(TrainPlot.AccuracyAgainstBits([result], title), staging, "accuracy-bits");
    });

    /// <summary>
    /// compare.json, compare.md, runs.csv (every curve point of every run), frontier.png/svg, and the first seed's curves of
    /// accuracy and loss against uplink and against downlink bits: {accuracy,loss}-{uplink,downlink}.png/svg.
    /// </summary>
    public static void Write(TrainComparisonResult result, string directory) => ResultFiles.Staged(directory, staging =>
    {
        ResultFiles.Text(Path.Combine(staging, "compare.json"), ResultJson.Serialize(new { result.Model, result.Data, result.Rows }));
        ResultFiles.Text(Path.Combine(staging, "compare.md"), TrainComparison.Markdown(result));
        ResultFiles.Text(Path.Combine(staging, "runs.csv"), string.Concat(result.Runs.Select((r, i) => Csv(r, header: i == 0))));
        PlotStyle.Save(TrainPlot.Frontier(result), staging, "frontier");
        var firstSeed = result.Runs.Where(r => r.Seed == result.Options.Seed).ToList();
        var title = $"{result.Model} on {result.Data}, {result.Options.Workers} workers, seed {result.Options.Seed}";
        foreach (var (y, yName) in new[] { (TrainPlot.Axis.Accuracy, "accuracy"), (TrainPlot.Axis.Loss, "loss") })
        {
            foreach (var (x, xName) in new[] { (TrainPlot.Axis.Uplink, "uplink"), (TrainPlot.Axis.Downlink, "downlink") })
            {
                PlotStyle.Save(TrainPlot.Curves(firstSeed, $"{y.Label} against {xName} bits — {title}", x, y), staging, $"{yName}-{xName}");
            }
        }
    });

    public static string Csv(TrainResult result, bool header = true)
    {
        var text = new StringBuilder();
        if (header)
        {
            text.AppendLine("method,seed,step,epoch,uplink_bits,downlink_bits,train_loss,test_loss,test_accuracy");
        }

        foreach (var p in result.Curve)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{result.Method},{result.Seed},{p.Step},{p.Epoch:R},{p.UplinkBits},{p.DownlinkBits},{p.TrainLoss:R},{p.TestLoss:R},{p.TestAccuracy:R}"));
        }

        return text.ToString();
    }
}
