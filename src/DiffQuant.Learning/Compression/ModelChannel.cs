using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// The downlink's model code, both ends. The server keeps x̂_k, what worker k will hold after each read, so it can send
/// the offset from it (<see cref="ModelCode.Differential"/>); the worker keeps its model and the epoch's snapshot.
/// Under <see cref="ModelCode.Snapshot"/> and <see cref="ModelCode.Differential"/> a read is [b − 2 in 4 bits]
/// [Q_(δ,b) code of the offset]; b starts at <see cref="Bits"/> and rises until the exact expected error
/// E‖Q(v) − v‖² is at most μ_q‖v‖² (<see cref="Precision"/>); under <see cref="ModelCode.Scaled"/> it is the code of x
/// at b bits; under <see cref="ModelCode.Float32"/> P binary32 values.
/// </summary>
public sealed class ModelChannel
{
    /// <summary>Bits of the per-read b field.</summary>
    public const int BitsFieldBits = 4;

    private readonly FixedPointCompressor?[] _codes = new FixedPointCompressor?[FixedPointCompressor.MaxBitsPerCoordinate + 1];
    private readonly float[] _offset;
    private readonly float[] _decoded;
    private readonly float[] _zero;

    /// <param name="bits">b, the model's bits per coordinate (the least a read uses).</param>
    /// <param name="block">Coordinates per precision δ; null for one δ per read.</param>
    /// <param name="precision">μ_q of the precision rule.</param>
    public ModelChannel(ModelCode code, int dimension, int bits, int? block, double precision)
    {
        if (!(precision > 0) || !double.IsFinite(precision))
        {
            Guard.Throw($"the model precision μ_q must be positive, got {precision}.");
        }

        Code = code;
        Dimension = dimension;
        Bits = bits;
        Block = block;
        Precision = precision;
        _offset = new float[dimension];
        _decoded = new float[dimension];
        _zero = code == ModelCode.Scaled ? new float[dimension] : [];
        if (code != ModelCode.Float32)
        {
            CodeOf(bits);
        }
    }

    public ModelCode Code { get; }

    public int Dimension { get; }

    public int Bits { get; }

    public int? Block { get; }

    /// <summary>μ_q.</summary>
    public double Precision { get; }

    /// <summary>b of the last read written (0 for binary32).</summary>
    public int LastBits { get; private set; }

    private bool Adaptive => Code is ModelCode.Snapshot or ModelCode.Differential;

    /// <summary>
    /// Writes a read of <paramref name="model"/> for a worker whose copy is <paramref name="reconstruction"/> (x̂_k,
    /// updated to what the worker will hold); <paramref name="snapshot"/> is x̃ (used by <see cref="ModelCode.Snapshot"/>).
    /// </summary>
    public void Write(BitWriter writer, ReadOnlySpan<float> model, ReadOnlySpan<float> snapshot, Span<float> reconstruction, in CompressionContext context)
    {
        if (Code == ModelCode.Float32)
        {
            writer.WriteSingles(model);
            model.CopyTo(reconstruction);
            return;
        }

        var reference = Reference(snapshot, reconstruction);
        TensorPrimitives.Subtract(model, reference, _offset);
        var code = CodeOf(Bits);
        if (Adaptive)
        {
            var allowed = Precision * TensorPrimitives.SumOfSquares(_offset);
            while (code.Bits < FixedPointCompressor.MaxBitsPerCoordinate && code.ExpectedError(_offset) > allowed)
            {
                code = CodeOf(code.Bits + 1);
            }

            writer.Write((ulong)(code.Bits - FixedPointCompressor.MinBits), BitsFieldBits);
        }

        code.Encode(_offset, context, writer, _decoded);
        TensorPrimitives.Add(reference, _decoded, reconstruction);
        LastBits = code.Bits;
    }

    /// <summary>Reads a model into <paramref name="model"/> (the worker's copy, the reference of a differential read).</summary>
    public void Read(ref BitReader reader, ReadOnlySpan<float> snapshot, Span<float> model, in CompressionContext context, string receiver)
    {
        if (Code == ModelCode.Float32)
        {
            if (reader.Remaining < 32L * Dimension)
            {
                Guard.Throw($"{receiver}: expected a model of {32L * Dimension} bits, got {reader.Remaining}.");
            }

            reader.ReadSingles(model);
            return;
        }

        var bits = Bits;
        if (Adaptive)
        {
            bits = (int)reader.Read(BitsFieldBits) + FixedPointCompressor.MinBits;
            if (bits < Bits)
            {
                Guard.Throw($"{receiver}: a model read at b = {bits} bits, below the configured {Bits}.");
            }
        }

        CodeOf(bits).Decode(ref reader, context, _decoded);
        var reference = Reference(snapshot, model);
        TensorPrimitives.Add(reference, _decoded, model);
    }

    /// <summary>What the offset is taken from: 0 (scaled), x̃ (snapshot) or the worker's copy (differential).</summary>
    private ReadOnlySpan<float> Reference(ReadOnlySpan<float> snapshot, ReadOnlySpan<float> copy) => Code switch
    {
        ModelCode.Snapshot => snapshot,
        ModelCode.Differential => copy,
        _ => _zero,
    };

    private FixedPointCompressor CodeOf(int bits) => _codes[bits] ??= new FixedPointCompressor(Dimension, bits, Block);
}
