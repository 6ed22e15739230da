using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiffQuant.Cluster;

/// <summary>
/// The live status page of a run: <c>/</c> draws the loss and accuracy curves and the run's numbers (refreshing every
/// second from <c>/status</c>, the same as JSON). It binds to 127.0.0.1 unless another address is given. With a token,
/// both answer 401 and no data unless the request carries it (<c>Authorization: Bearer TOKEN</c>, or <c>?token=</c>
/// for the page a browser opens), compared in constant time and never logged.
/// </summary>
public sealed class StatusServer : IAsyncDisposable
{
    /// <summary>snake_case like every other JSON of dq; a loss that is not finite is written as a string, not refused.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly WebApplication _app;

    private StatusServer(WebApplication app) => _app = app;

    public Uri Address { get; private init; } = new("http://127.0.0.1/");

    public static async Task<StatusServer> Start(StatusBoard board, int port, string? token, IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, port));
        var app = builder.Build();
        var expected = token is null ? null : Encoding.UTF8.GetBytes(token);
        app.MapGet("/status", (HttpContext http) => Allowed(http, expected) ? Results.Json(board.Read(), Json) : Results.Unauthorized());
        app.MapGet("/", (HttpContext http) => Allowed(http, expected) ? Results.Content(StatusPage.Html, "text/html; charset=utf-8") : Results.Unauthorized());
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new DiffQuantException($"the status page cannot listen on port {port}: {e.Message}");
        }

        return new StatusServer(app) { Address = new Uri($"http://{(address ?? IPAddress.Loopback)}:{port}/") };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Whether the request carries the token (any request does when none is configured).</summary>
    private static bool Allowed(HttpContext http, byte[]? expected)
    {
        if (expected is null)
        {
            return true;
        }

        var header = http.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : http.Request.Query["token"].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);
    }
}
