namespace DiffQuant.Cluster;

/// <summary>
/// The status page: one HTML document whose script reads /status every second (with the page's token and run, if any) and
/// draws the test accuracy and training loss against updates as SVG polylines, with the run's numbers beside them.
/// </summary>
internal static class StatusPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>dq run status</title>
        <style>
          body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
          h1 { font-size: 18px; margin: 0 0 12px; }
          table { border-collapse: collapse; margin-bottom: 16px; }
          td { padding: 2px 12px 2px 0; }
          td:first-child { color: #666; }
          svg { border: 1px solid #ccc; background: #fafafa; }
          .accuracy { stroke: #1f77b4; fill: none; stroke-width: 2; }
          .loss { stroke: #d62728; fill: none; stroke-width: 2; }
        </style></head>
        <body>
        <h1 id="title">dq run status</h1>
        <table id="numbers"></table>
        <svg id="chart" width="640" height="280" viewBox="0 0 640 280">
          <polyline id="accuracy" class="accuracy" points=""></polyline>
          <polyline id="loss" class="loss" points=""></polyline>
          <text x="8" y="16" fill="#1f77b4">test accuracy (0–100%)</text>
          <text x="8" y="32" fill="#d62728">training loss (0–max)</text>
        </svg>
        <script>
          const query = new URLSearchParams(location.search);
          const token = query.get("token"), run = query.get("run");
          const headers = token ? { Authorization: "Bearer " + token } : {};
          const row = (name, value) => `<tr><td>${name}</td><td>${value}</td></tr>`;
          async function refresh() {
            const response = await fetch(run ? "status?run=" + encodeURIComponent(run) : "status", { headers });
            if (response.status === 404) { document.getElementById("title").textContent = "dq run status: no run here yet"; return; }
            if (!response.ok) { document.getElementById("title").textContent = "dq run status: " + response.status; return; }
            const s = await response.json();
            document.getElementById("title").textContent = s.steps > 0 ? `${s.method} ${s.model}: update ${s.step} of ${s.steps}` : `${s.method} ${s.model}: starting`;
            const bySilo = {};
            for (const [worker, silo] of Object.entries(s.worker_silos)) (bySilo[silo] ??= []).push(worker);
            const silos = Object.entries(bySilo).map(([silo, workers]) => `${silo}: ${workers.join(" ")}`).join("; ");
            document.getElementById("numbers").innerHTML =
              row("run", s.run) + row("cluster", s.cluster) + (s.server_silo ? row("server", s.server_silo) : "") + row("workers", `${s.workers}${silos ? " (" + silos + ")" : ""}`) +
              row("bits up / down", `${s.uplink_bits.toExponential(3)} / ${s.downlink_bits.toExponential(3)}`) +
              row("elapsed", `${s.elapsed_seconds.toFixed(1)} s`) + row("ETA", s.eta_seconds == null ? "—" : `${s.eta_seconds.toFixed(1)} s`) +
              row("test accuracy", s.curve.length ? `${(100 * s.curve[s.curve.length - 1].test_accuracy).toFixed(2)}%` : "—");
            const width = 620, height = 250, steps = Math.max(1, s.steps);
            const maxLoss = Math.max(1e-9, ...s.curve.map(p => p.train_loss));
            const x = p => (10 + width * p.step / steps).toFixed(1);
            document.getElementById("accuracy").setAttribute("points", s.curve.map(p => `${x(p)},${(270 - height * p.test_accuracy).toFixed(1)}`).join(" "));
            document.getElementById("loss").setAttribute("points", s.curve.map(p => `${x(p)},${(270 - height * p.train_loss / maxLoss).toFixed(1)}`).join(" "));
          }
          refresh();
          setInterval(refresh, 1000);
        </script>
        </body></html>
        """;
}
