using System.Buffers.Binary;
using System.IO.Compression;

namespace DiffQuant.Learning.Data;

/// <summary>
/// Reads the IDX files of (Fashion-)MNIST, gzip-compressed or not: images (magic 0x00000803, unsigned bytes,
/// count × rows × columns) scaled to [0, 1], and labels (magic 0x00000801, unsigned bytes). Errors name the file
/// and say what is missing, truncated or malformed.
/// </summary>
public static class IdxReader
{
    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;

    /// <summary>The pixels of every image, row-major, scaled by 1/255; and (rows·columns), the features per image.</summary>
    public static (float[] Pixels, int Count, int Features) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var header = Header(bytes, path, ImageMagic, 16, "images");
        var rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (rows <= 0 || columns <= 0)
        {
            Guard.Throw($"IDX file '{path}': images of {rows} × {columns} pixels.");
        }

        var features = rows * columns;
        Expect(bytes, path, 16 + ((long)header * features), $"{header} images of {rows} × {columns} bytes");
        var pixels = new float[(long)header * features];
        var data = bytes.AsSpan(16);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = data[i] / 255f;
        }

        return (pixels, header, features);
    }

    public static int[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        var count = Header(bytes, path, LabelMagic, 8, "labels");
        Expect(bytes, path, 8L + count, $"{count} labels");
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = bytes[8 + i];
        }

        return labels;
    }

    /// <summary>An images file and its labels file as a data set of <paramref name="classes"/> classes.</summary>
    public static Dataset Read(string imagesPath, string labelsPath, int classes, string name)
    {
        var (pixels, count, features) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
        {
            Guard.Throw($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labels.Length} labels.");
        }

        return new Dataset(name, pixels, labels, features, classes);
    }

    private static byte[] ReadAll(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var buffer = new MemoryStream();
            var gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            if (gzip)
            {
                using var inflate = new GZipStream(file, CompressionMode.Decompress);
                inflate.CopyTo(buffer);
            }
            else
            {
                file.CopyTo(buffer);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            throw new DiffQuantException($"cannot read IDX file '{path}': {e.Message}", e);
        }
    }

    private static int Header(byte[] bytes, string path, int magic, int headerBytes, string what)
    {
        if (bytes.Length < headerBytes)
        {
            Guard.Throw($"IDX file '{path}' is truncated: {bytes.Length} bytes, shorter than the {headerBytes}-byte header of an IDX {what} file.");
        }

        var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
        {
            Guard.Throw($"'{path}' is not an IDX {what} file: magic number 0x{found:x8}, expected 0x{magic:x8}.");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (count < 0)
        {
            Guard.Throw($"IDX file '{path}' declares {count} {what}.");
        }

        return count;
    }

    private static void Expect(byte[] bytes, string path, long length, string what)
    {
        if (bytes.Length != length)
        {
            Guard.Throw($"IDX file '{path}' is {(bytes.Length < length ? "truncated" : "longer than declared")}: {bytes.Length} bytes for {what} ({length} expected).");
        }
    }
}
