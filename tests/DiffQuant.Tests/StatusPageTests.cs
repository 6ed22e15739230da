using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DiffQuant.Cluster;
using DiffQuant.Learning.Training;

namespace DiffQuant.Tests;

/// <summary>
/// The live status page: /status is the run's JSON, / draws it; with a token both answer 401 and no data without it.
/// The page is loaded in a real headless Chromium (Debian's, which `.ci/run` installs) to check that it renders the
/// run's update and both curves.
/// </summary>
[Collection(RealProcesses.Name)]
public class StatusPageTests
{
    private const string Token = "s3cret-token";

    [Fact]
    public async Task The_status_json_and_page_need_the_token_and_show_the_run()
    {
        var options = new TrainOptions { Method = "ef-topk-sign", Workers = 2, Epochs = 1 };
        var board = new StatusBoard("run-1", options, "in-process");
        for (var step = 1; step <= 7; step++)
        {
            board.Report(new TrainProgress(step, 20, step % 2 == 1 ? new TrainPoint(step, step / 20.0, 1000L * step, 2000L * step, 2.0 / step, 2.1 / step, 0.5 + (0.05 * step)) : null));
        }

        var port = LocalCluster.FreePorts(1)[0];
        await using var server = await StatusServer.Start(board, port, Token);
        using var http = new HttpClient { BaseAddress = server.Address };
        foreach (var path in new[] { "/status", "/", "/?token=wrong" })
        {
            using var refused = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Empty(await refused.Content.ReadAsByteArrayAsync());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var answer = await http.SendAsync(request);
        using var status = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(7, status.RootElement.GetProperty("step").GetInt32());
        Assert.Equal(20, status.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(4, status.RootElement.GetProperty("curve").GetArrayLength());
        Assert.Equal(7000, status.RootElement.GetProperty("uplink_bits").GetInt64());
        Assert.True(status.RootElement.GetProperty("eta_seconds").GetDouble() >= 0);

        var dom = await Chromium("--virtual-time-budget=3000", "--dump-dom", $"{server.Address}?token={Token}");
        Assert.Contains("ef-topk-sign softmax: update 7 of 20", dom);
        foreach (var curve in new[] { "accuracy", "loss" })
        {
            var points = System.Text.RegularExpressions.Regex.Match(dom, $"id=\"{curve}\"[^>]*points=\"([^\"]*)\"").Groups[1].Value;
            Assert.Equal(4, points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    /// <summary>Runs Debian's chromium headless (no sandbox: tests may run as root) and returns its standard output.</summary>
    internal static async Task<string> Chromium(params string[] arguments)
    {
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var chromium = Process.Start(start)!;
        _ = chromium.StandardError.ReadToEndAsync();
        var output = await chromium.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await chromium.WaitForExitAsync(limit.Token);
        return output;
    }
}
