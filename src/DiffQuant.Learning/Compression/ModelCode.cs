namespace DiffQuant.Learning.Compression;

/// <summary>How the server sends the model down (every bit counted).</summary>
public enum ModelCode
{
    /// <summary>P binary32 values.</summary>
    Float32,

    /// <summary>Q_(δ,b)(x) of the model itself with one precision δ = max|x|/s per read: the simple idea, whose error never shrinks.</summary>
    Scaled,

    /// <summary>
    /// AsyLPG's model quantizer: Q_(δ,b)(x − x̃) of the offset from the epoch's snapshot x̃ (which the workers hold), with b
    /// raised per read until E‖Q − (x − x̃)‖² ≤ μ_q‖x − x̃‖² (variance-reduced methods only).
    /// </summary>
    Snapshot,

    /// <summary>
    /// Differential quantization of the model (this project's DQ on the downlink): Q_(δ,b)(x − x̂_k) of the offset from
    /// what worker k last reconstructed, so each read corrects the last one's error, with b raised per read until
    /// E‖Q − (x − x̂_k)‖² ≤ μ_q‖x − x̂_k‖².
    /// </summary>
    Differential,
}
