using System.Numerics.Tensors;

namespace DiffQuant.Methods;

/// <summary>‖x̃_t − x̃_{t−1}‖₂ of two decoded iterates, computed by the same code at both ends so it is bit-equal.</summary>
internal static class IterateStep
{
    public static double Norm(ReadOnlySpan<double> current, ReadOnlySpan<double> previous, Span<double> scratch)
    {
        TensorPrimitives.Subtract(current, previous, scratch);
        return TensorPrimitives.Norm<double>(scratch);
    }
}
