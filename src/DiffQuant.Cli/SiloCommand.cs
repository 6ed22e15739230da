using System.CommandLine;
using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>`dq silo`: one silo of a loopback cluster, hosting worker grains until it is stopped (Ctrl+C or a signal).</summary>
internal static class SiloCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var siloPort = new Option<int>("--silo-port") { Description = "Port for silo-to-silo traffic on 127.0.0.1.", DefaultValueFactory = _ => 11111 }.Checked(Port);
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients connect to on 127.0.0.1.", DefaultValueFactory = _ => 30000 }.Checked(Port);
        var primaryPort = new Option<int?>("--primary-port") { Description = "Silo port of the primary silo to join (default: this silo is the primary)." }.Checked(p => Port(p ?? 1));
        var exitWith = new Option<int?>("--exit-with") { Description = "Stop when the process with this id exits (what `--silos` passes, so that its silos never outlive it)." };
        var command = new Command("silo", "Host worker grains in a loopback Orleans cluster (what `dq train --silos N` starts N of).") { siloPort, gatewayPort, primaryPort, exitWith };
        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var settings = new SiloSettings(parse.GetValue(siloPort), parse.GetValue(gatewayPort), parse.GetValue(primaryPort) ?? parse.GetValue(siloPort));
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
            if (parse.GetValue(exitWith) is { } parent)
            {
                StopWith(parent, stop);
            }

            SiloHost.Run(settings, output, stop.Token, new RunWorkerBuilder()).GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }

    /// <summary>Cancels <paramref name="stop"/> when process <paramref name="id"/> exits (at once if it is already gone).</summary>
    private static void StopWith(int id, CancellationTokenSource stop)
    {
        try
        {
            var parent = System.Diagnostics.Process.GetProcessById(id);
            _ = parent.WaitForExitAsync(stop.Token).ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
        }
        catch (ArgumentException)
        {
            stop.Cancel();
        }
    }

    private static void Port(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new DiffQuantException($"must be a TCP port in 1..65535, got {port}.");
        }
    }
}
