using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using DiffQuant.Cluster;

namespace DiffQuant.Tests;

/// <summary>
/// Mutual TLS on a Redis-membership cluster with certificates made here: a silo with a certificate the CA signed
/// answers a client whose certificate the CA signed; a client without TLS, and one whose certificate another CA signed,
/// are refused with a clear error.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class TlsClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private readonly List<Process> _processes = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("dq-tls").FullName;
    private string _cluster = string.Empty;
    private string[] _trusted = [];
    private string[] _foreign = [];

    private static string Cli => typeof(DiffQuant.Cli.CliApp).Assembly.Location;

    public async Task InitializeAsync()
    {
        using var authority = NewAuthority("CN=dq test CA");
        using var other = NewAuthority("CN=another CA");
        var ca = Write("ca.pem", authority.ExportCertificatePem());
        _trusted = Issue("trusted", authority, ca);
        _foreign = Issue("foreign", other, ca);

        var ports = LocalCluster.FreePorts(3);
        _processes.Add(await SiloProcess.Start("redis-server", ["--port", $"{ports[0]}", "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"], "Ready to accept connections", Limit));
        _cluster = $"redis://127.0.0.1:{ports[0]}";
        _processes.Add(await SiloProcess.Start("dotnet", [Cli, "silo", "--cluster", _cluster, "--silo-port", $"{ports[1]}", "--gateway-port", $"{ports[2]}", "--exit-with", $"{Environment.ProcessId}", .. _trusted], SiloHost.ReadyLine, Limit));
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Only_clients_with_a_certificate_the_CA_signed_are_answered()
    {
        using (var status = JsonDocument.Parse(await ClusterTests.DqProcess(["status", "--cluster", _cluster, "--json", .. _trusted])))
        {
            Assert.Equal("Active", status.RootElement.GetProperty("silos")[0].GetProperty("status").GetString());
        }

        foreach (var client in new[] { Array.Empty<string>(), _foreign })
        {
            var (exit, output, error) = TestData.Dq(["status", "--cluster", _cluster, .. client]);
            Assert.Equal(2, exit);
            Assert.Equal(string.Empty, output);
            Assert.Contains($"error: cannot connect to the cluster at {_cluster}", error);
        }

        var (partialExit, _, partial) = TestData.Dq("status", "--cluster", _cluster, "--tls-cert", _trusted[1]);
        Assert.Equal(2, partialExit);
        Assert.Contains("mutual TLS needs all of --tls-cert, --tls-key and --tls-ca", partial);
    }

    /// <summary>
    /// A silo whose certificate another CA signed cannot join: the cluster's silo refuses its connections and votes it
    /// dead, and it exits with one error line (no stack trace) and code 2; the cluster keeps its one silo.
    /// </summary>
    [Fact]
    public async Task A_silo_with_a_foreign_certificate_cannot_join()
    {
        var ports = LocalCluster.FreePorts(2);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Cli, "silo", "--cluster", _cluster, "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--exit-with", $"{Environment.ProcessId}" }.Concat(_foreign))
        {
            start.ArgumentList.Add(argument);
        }

        using var silo = Process.Start(start)!;
        using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = silo.StandardOutput.ReadToEndAsync(bounded.Token);
        var error = await silo.StandardError.ReadToEndAsync(bounded.Token);
        await silo.WaitForExitAsync(bounded.Token);
        Assert.True(silo.ExitCode == 2, $"exit {silo.ExitCode}: {error}");
        Assert.DoesNotContain(SiloHost.ReadyLine, await output);
        Assert.StartsWith("error: this silo must stop: ", error);
        Assert.Contains("Dead", error);
        Assert.DoesNotContain("   at ", error);
        using var status = JsonDocument.Parse(await ClusterTests.DqProcess(["status", "--cluster", _cluster, "--json", .. _trusted]));
        Assert.Equal(1, status.RootElement.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "Active"));
    }

    /// <summary>
    /// `dq run --silos 2` with a certificate: the command starts its loopback silos with it and its client presents it,
    /// so every connection is mutual TLS (a silo with TLS accepts no plain connection, and a client without it reaches
    /// no such silo: the tests above), and the run is still the in-process one.
    /// </summary>
    [Fact]
    public async Task Loopback_silos_run_over_mutual_tls()
    {
        string[] run = ["run", "--method", "dq-gd", "--rate", "8", "--workers", "2", "--m", "120", "--n", "12", "--iterations", "30", "--json"];
        var (exit, local, _) = TestData.Dq(run);
        Assert.Equal(0, exit);
        using var expected = JsonDocument.Parse(local);
        var (clusterExit, output, error) = await ClusterTests.DqProcessExit([.. run, "--silos", "2", .. _trusted]);
        Assert.True(clusterExit == 0, error);
        using var actual = JsonDocument.Parse(output);
        foreach (var field in new[] { "iterations", "bits_total", "downlink_bits_total", "relative_error" })
        {
            Assert.Equal(expected.RootElement.GetProperty(field).ToString(), actual.RootElement.GetProperty(field).ToString());
        }
    }

    /// <summary>A self-signed CA that holds its private key.</summary>
    private static X509Certificate2 NewAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // Valid a day longer than its leaves (certificate times are whole seconds: equal ends would race the clock).
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    /// <summary>A leaf certificate for both TLS ends signed by <paramref name="authority"/>: the `--tls-*` arguments that present it, trusting <paramref name="ca"/>.</summary>
    private string[] Issue(string name, X509Certificate2 authority, string ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var leaf = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        return ["--tls-cert", Write($"{name}.pem", leaf.ExportCertificatePem()), "--tls-key", Write($"{name}.key", key.ExportPkcs8PrivateKeyPem()), "--tls-ca", ca];
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
