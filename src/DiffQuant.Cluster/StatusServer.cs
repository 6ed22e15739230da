using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiffQuant.Cluster;

/// <summary>
/// The live status page of a run: <c>/</c> draws the loss and accuracy curves and the run's numbers (refreshing every
/// second from <c>/status</c>, the same as JSON). A silo's page shows the runs whose servers it hosts: the newest, or
/// the one <c>?run=NAME</c> names (<c>/runs</c> lists them). It binds to 127.0.0.1 unless another address is given. With a token,
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

    /// <summary>Serves the page of a single run.</summary>
    public static Task<StatusServer> Start(StatusBoard board, int port, string? token, IPAddress? address = null) => Start(new StatusBoards(board), port, token, address);

    /// <summary>Serves the page of <paramref name="boards"/> (sets its <see cref="StatusBoards.Page"/>).</summary>
    public static async Task<StatusServer> Start(StatusBoards boards, int port, string? token, IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, port));
        var app = builder.Build();
        var expected = token is null ? null : Encoding.UTF8.GetBytes(token);
        app.MapGet("/status", (HttpContext http) =>
            !Allowed(http, expected) ? Results.Unauthorized()
            : boards.Read(http.Request.Query["run"]) is { } status ? Results.Json(status, Json)
            : Results.Json(new { Error = $"no run '{http.Request.Query["run"]}' here; runs: [{string.Join(", ", boards.Runs())}]" }, Json, statusCode: StatusCodes.Status404NotFound));
        app.MapGet("/runs", (HttpContext http) => Allowed(http, expected) ? Results.Json(boards.Runs(), Json) : Results.Unauthorized());
        app.MapGet("/", (HttpContext http) => Allowed(http, expected) ? Results.Content(StatusPage.Html, "text/html; charset=utf-8") : Results.Unauthorized());
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new DiffQuantException($"the status page cannot listen on {address ?? IPAddress.Loopback}:{port}: {e.Message}");
        }

        // Port 0 listens on any free port: the page's address is the one Kestrel bound.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var page = new Uri($"{bound.TrimEnd('/')}/");
        boards.Page = page;
        return new StatusServer(app) { Address = page };
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
