using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffQuant.Lab;

/// <summary>The one JSON style of DiffQuant's outputs: snake_case, indented, non-finite numbers as strings.</summary>
public static class ResultJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
