using DiffQuant.Learning.Compression;

namespace DiffQuant.Learning.Training;

/// <summary>The compressor of a method under a run's options: the one place that maps kinds to compressors.</summary>
public static class Compressors
{
    /// <summary>QSGD levels for B bits per coordinate: s = 2^(B−1) − 1.</summary>
    public static int LevelsFor(int bits) => (1 << (bits - 1)) - 1;

    /// <param name="bits">For DQ-SGD, this message's B_n.</param>
    public static ICompressor Create(CompressorKind kind, TrainOptions options, int dimension, int? bits = null) => kind switch
    {
        CompressorKind.Float32 => new Float32Compressor(dimension),
        CompressorKind.Qsgd => new QsgdCompressor(dimension, options.QsgdLevels, options.Coding, options.Bucket),
        CompressorKind.DynamicQsgd => new QsgdCompressor(dimension, LevelsFor(bits ?? DynamicBits.MaxBits), options.Coding, options.Bucket),
        CompressorKind.TernGrad => new TernGradCompressor(dimension),
        CompressorKind.Sign => new SignCompressor(dimension),
        CompressorKind.TopK => new TopKCompressor(dimension, options.Fraction),
        CompressorKind.TopKSign => new TopKCompressor(dimension, options.Fraction, signs: true),
        CompressorKind.Rotated => new RotatedCompressor(dimension, options.Bits),
        CompressorKind.RotatedEntropyCoded => new RotatedCompressor(dimension, options.Bits, "rotated-ec"),
        CompressorKind.E8 => new RotatedCompressor(dimension, options.Bits, "e8"),
        CompressorKind.D8 => new RotatedCompressor(dimension, options.Bits, "d8"),
        _ => new RandomKCompressor(dimension, options.Fraction),
    };

    /// <summary>The model code down under <paramref name="options"/>: <see cref="TrainOptions.Downlink"/>, else the method's <paramref name="methodCode"/>.</summary>
    public static ModelChannel Downlink(TrainOptions options, int dimension, ModelCode methodCode = ModelCode.Float32) =>
        new(options.Downlink ?? methodCode, dimension, options.ModelBits, options.ModelBlock, options.ModelPrecision);

    /// <summary>The longest gradient message body of a method: its compressor's bound, plus the B_n field for DQ-SGD.</summary>
    public static long MaxBits(CompressorKind kind, TrainOptions options, int dimension) =>
        Create(kind, options, dimension).MaxBits + (kind == CompressorKind.DynamicQsgd ? DynamicBits.FieldBits : 0);
}
