namespace DiffQuant.Methods;

/// <summary>How the worker turns gradients into bits.</summary>
public enum Compression
{
    /// <summary>Full-precision floats (the unquantized methods, still paying their bits).</summary>
    None,

    /// <summary>NQ: quantize the gradient at the server's point.</summary>
    Naive,

    /// <summary>DQ: feed past quantization errors back so the gradients follow the unquantized path.</summary>
    Differential,
}
