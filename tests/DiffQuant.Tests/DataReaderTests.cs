using System.IO.Compression;
using DiffQuant.Learning.Data;

namespace DiffQuant.Tests;

public sealed class DataReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dq-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes, bool gzip)
    {
        var path = Path.Combine(_folder, name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    private static byte[] Images(int count, int rows, int columns, int magic = 0x803, int? bytes = null)
    {
        var data = new List<byte>();
        foreach (var v in new[] { magic, count, rows, columns })
        {
            data.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        }

        data.AddRange(Enumerable.Range(0, bytes ?? (count * rows * columns)).Select(i => (byte)(i % 256)));
        return [.. data];
    }

    private static byte[] Labels(params byte[] labels) => [0, 0, 8, 1, 0, 0, 0, (byte)labels.Length, .. labels];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Idx_files_read_gzip_or_plain(bool gzip)
    {
        var images = Write("i", Images(3, 2, 2), gzip);
        var labels = Write("l", Labels(0, 2, 1), gzip);
        var data = IdxReader.Read(images, labels, 3, "tiny");
        Assert.Equal(3, data.Count);
        Assert.Equal(4, data.Features);
        Assert.Equal([4f / 255, 5f / 255, 6f / 255, 7f / 255], data.Row(1).ToArray());
        Assert.Equal(2, data.Label(1));
    }

    [Fact]
    public void Bad_idx_files_are_refused_naming_the_file()
    {
        var labels = Write("labels", Labels(0, 1, 1), gzip: true);
        Assert.Contains("truncated", Assert.Throws<DiffQuantException>(() => IdxReader.Read(Write("short", Images(3, 2, 2, bytes: 7), true), labels, 3, "x")).Message);
        Assert.Contains("magic number 0x00000801", Assert.Throws<DiffQuantException>(() => IdxReader.Read(Write("swapped", Images(3, 2, 2, magic: 0x801), true), labels, 3, "x")).Message);
        Assert.Contains("3 images but", Assert.Throws<DiffQuantException>(() => IdxReader.Read(Write("ok", Images(3, 2, 2), true), Write("two", Labels(0, 1), true), 3, "x")).Message);
        Assert.Contains("label 7", Assert.Throws<DiffQuantException>(() => IdxReader.Read(Write("ok2", Images(3, 2, 2), true), Write("big", Labels(0, 7, 1), true), 3, "x")).Message);
        Assert.Contains("cannot read IDX file", Assert.Throws<DiffQuantException>(() => IdxReader.ReadLabels(Path.Combine(_folder, "missing"))).Message);
        Assert.Contains("header", Assert.Throws<DiffQuantException>(() => IdxReader.ReadLabels(Write("tiny", [0, 0, 8], false))).Message);
    }

    [Fact]
    public void Libsvm_files_are_read_and_their_errors_name_the_line()
    {
        var path = Write("a.libsvm", System.Text.Encoding.ASCII.GetBytes("3 1:0.5 4:2\n# comment\n-1 2:1.5\n3 3:1\n"), gzip: false);
        var data = LibSvmReader.Read(path);
        Assert.Equal((3, 4, 2), (data.Count, data.Features, data.Classes));
        Assert.Equal([0.5f, 0, 0, 2], data.Row(0).ToArray());
        Assert.Equal([1, 0, 1], new[] { data.Label(0), data.Label(1), data.Label(2) });
        foreach (var (text, expected) in new[] { ("1 2:1 2:3\n", ":1: index 2 does not increase"), ("x 1:1\n", ":1: the label 'x'"), ("1 0:1\n", "positive integer index"), ("1 1:nan\n", "finite value"), ("", "no samples") })
        {
            var bad = Write("bad.libsvm", System.Text.Encoding.ASCII.GetBytes(text), gzip: false);
            Assert.Contains(expected, Assert.Throws<DiffQuantException>(() => LibSvmReader.Read(bad)).Message);
        }
    }

    [Theory]
    [InlineData("--model", "cnn", "--model: unknown model 'cnn'")]
    [InlineData("--method", "adam", "--method: unknown training method 'adam'")]
    [InlineData("--workers", "0", "--workers: must be positive")]
    [InlineData("--lr", "-1", "--lr: must be a positive finite number")]
    [InlineData("--data", "/no/such.libsvm", "cannot read LIBSVM file")]
    [InlineData("--downlink", "lossy", "--downlink: unknown model code 'lossy'")]
    [InlineData("--staleness", "3", "--staleness 3 is below W − 1 = 7")]
    [InlineData("--precision", "1", "--precision μ_q must lie in (0, 1)")]
    [InlineData("--model-bits", "1", "--model-bits must lie in 2..16")]
    [InlineData("--status-port", "70000", "--status-port: must be a TCP port in 1..65535, or 0 for any free one, got 70000")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every: must be positive")]
    [InlineData("--arrivals", "live", "--arrivals applies to the asynchronous methods")]
    [InlineData("--cluster", "http://10.0.0.5", "--cluster: 'http://10.0.0.5' is not a Redis address")]
    [InlineData("--tls-cert", "a.pem", "--tls-cert, --tls-key and --tls-ca secure the traffic of --silos or a --cluster")]
    public void Train_refuses_bad_options(string option, string value, string expected)
    {
        var (exit, output, error) = TestData.Dq("train", option, value, "--out", _folder);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(expected, error);
    }

    /// <summary>A recorded arrival order that cannot be replayed is refused, naming the file and what is wrong, before any training.</summary>
    [Theory]
    [InlineData(null, "--arrivals: cannot read")]
    [InlineData("{ \"arrivals\": [0,\n oops", "is not JSON (line 2)")]
    [InlineData("{ \"method\": \"asylpg\" }", "records no arrival order")]
    [InlineData("{ \"arrivals\": [0, 1, 9] }", "arrival 2 of")]
    public void Train_refuses_arrivals_it_cannot_replay(string? content, string expected)
    {
        var file = Path.Combine(_folder, "train.json");
        if (content is not null)
        {
            File.WriteAllText(file, content);
        }

        var (exit, output, error) = TestData.Dq("train", "--method", "asylpg", "--arrivals", file, "--out", _folder);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(expected, error);
    }
}
