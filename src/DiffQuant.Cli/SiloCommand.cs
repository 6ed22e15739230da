using System.CommandLine;
using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>`dq silo`: one silo of a loopback cluster or of a Redis-membership cluster, hosting server and worker grains (and, with `--status-port`, the status page of the runs whose servers it hosts) until it is stopped (Ctrl+C or a signal).</summary>
internal static class SiloCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var siloPort = new Option<int>("--silo-port") { Description = "Port for silo-to-silo traffic on 127.0.0.1.", DefaultValueFactory = _ => 11111 }.Checked(OptionChecks.Port);
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients connect to on 127.0.0.1.", DefaultValueFactory = _ => 30000 }.Checked(OptionChecks.Port);
        var primaryPort = new Option<int?>("--primary-port") { Description = "Silo port of the primary silo to join (default: this silo is the primary)." }.Checked(p => OptionChecks.Port(p ?? 1));
        var cluster = new Option<string?>("--cluster") { Description = "Join the cluster whose membership is in this Redis (redis://HOST:PORT) instead of a loopback primary." }.Checked(c => Silos.Address(c));
        var address = new Option<string?>("--address") { Description = "The IP address this silo listens on and announces to the others (default 127.0.0.1; give the machine's own for several machines)." }.Checked(a => Address(a));
        var exitWith = new Option<int?>("--exit-with") { Description = "Stop when the process with this id exits (what `--silos` passes, so that its silos never outlive it)." };
        var tls = new TlsCliOptions();
        var status = new StatusCliOptions("Serve the status page of the `dq train` runs whose servers this silo hosts on PORT at its address (/ draws the newest, /status?run=NAME is a run's JSON, /runs lists them).");
        var command = new Command("silo", "Host server and worker grains: one silo of a loopback cluster (what `--silos N` starts N of), or of a cluster whose membership is in Redis (`--cluster`).") { siloPort, gatewayPort, primaryPort, cluster, address, exitWith };
        foreach (var option in tls.All.Concat(status.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var redis = Silos.Address(parse.GetValue(cluster));
            if (redis is not null && parse.GetValue(primaryPort) is not null)
            {
                throw new DiffQuantException("--primary-port joins a loopback cluster; with --cluster the silos find each other in Redis.");
            }

            if (redis is null && parse.GetValue(address) is not null)
            {
                throw new DiffQuantException("--address needs --cluster: a loopback cluster listens on 127.0.0.1 only.");
            }

            var secure = tls.Settings(parse);
            var settings = new SiloSettings(parse.GetValue(siloPort), parse.GetValue(gatewayPort), parse.GetValue(primaryPort) ?? parse.GetValue(siloPort), redis, Address(parse.GetValue(address)), secure, status.Settings(parse));
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler interrupt = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            EventHandler exit = (_, _) => stop.Cancel();
            Console.CancelKeyPress += interrupt;
            AppDomain.CurrentDomain.ProcessExit += exit;
            try
            {
                if (parse.GetValue(exitWith) is { } parent)
                {
                    StopWith(parent, stop);
                }

                SiloHost.Run(settings, output, stop.Token, new RunWorkerBuilder()).GetAwaiter().GetResult();
            }
            finally
            {
                Console.CancelKeyPress -= interrupt;
                AppDomain.CurrentDomain.ProcessExit -= exit;
            }

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

    private static System.Net.IPAddress? Address(string? text) =>
        text is null ? null
        : System.Net.IPAddress.TryParse(text, out var ip) ? ip
        : throw new DiffQuantException($"must be an IP address such as 10.0.0.5, got '{text}'.");
}
