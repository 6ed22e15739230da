using System.CommandLine;
using DiffQuant.Cluster;
using DiffQuant.Lab;
using Spectre.Console;

namespace DiffQuant.Cli;

/// <summary>`dq status --cluster redis://…`: the silos of a running cluster, their state and the worker grains they hold, and the runs in progress.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster's Redis: redis://HOST:PORT.", Required = true }.Checked(c => Silos.Address(c));
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON object." };
        var tls = new TlsCliOptions();
        var command = new Command("status", "List the silos of a running cluster, the worker grains they hold, and the runs in progress.") { cluster, json };
        foreach (var option in tls.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CliApp.Guarded(error, () =>
        {
            var address = ClusterAddress.Parse(parse.GetRequiredValue(cluster));
            var settings = tls.Settings(parse);
            var status = Task.Run(async () =>
            {
                await using var connection = await Silos.Connect(address, settings, null);
                return await ClusterStatus.Read(connection.Grains, address.ToString());
            }).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                output.WriteLine(ResultJson.Serialize(status));
                return 0;
            }

            var table = new Table().AddColumn("silo").AddColumn("status").AddColumn("host").AddColumn("started (UTC)").AddColumn(new TableColumn("worker grains").RightAligned());
            foreach (var s in status.Silos)
            {
                table.AddRow(Markup.Escape(s.Address), Markup.Escape(s.Status), Markup.Escape(s.Host), Markup.Escape($"{s.Started:u}"), $"{s.WorkerGrains}");
            }

            var console = CliApp.Console(output);
            console.MarkupLine(Markup.Escape($"cluster {status.Cluster}: {status.Silos.Count(s => s.Status == "Active")} active silos, {status.Runs.Count} runs in progress"));
            console.Write(table);
            if (status.Runs.Count > 0)
            {
                var runs = new Table().AddColumn("run").AddColumn("command").AddColumn("server on silo");
                foreach (var r in status.Runs)
                {
                    runs.AddRow(Markup.Escape(r.Run), Markup.Escape($"dq {r.Command}"), Markup.Escape(r.ServerSilo));
                }

                console.Write(runs);
            }
            return 0;
        }));
        return command;
    }
}
