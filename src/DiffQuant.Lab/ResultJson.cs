using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffQuant.Lab;

/// <summary>
/// The one JSON style of DiffQuant's outputs: snake_case, indented, and a number that is not finite (a rate
/// no referee could measure, a bound that is infinite) written as null, never as a "NaN" string; the records
/// that can hold one say why in a note field.
/// </summary>
public static class ResultJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new FiniteOrNull() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads what <see cref="Serialize"/> wrote (a non-finite number comes back as NaN).</summary>
    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new DiffQuantException($"expected a {typeof(T).Name} as JSON, got null.");

    /// <summary>Writes finite doubles as numbers and the rest as null.</summary>
    private sealed class FiniteOrNull : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
