using System.Text.Json;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>A run's <see cref="TrainOptions"/> as the JSON text its worker grains are configured with.</summary>
public static class ClusterOptions
{
    public static string Format(TrainOptions options) => JsonSerializer.Serialize(options);

    public static TrainOptions Parse(string json) =>
        JsonSerializer.Deserialize<TrainOptions>(json) is var options && options != default
            ? options
            : throw new DiffQuantException("the worker setup carries no training options.");
}
