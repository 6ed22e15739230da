using System.Diagnostics;
using System.Reflection;
using DiffQuant.Quantization;

namespace DiffQuant.Tests;

/// <summary>
/// A theory about the library's optimized code, skipped (with the reason) when the library is built without
/// optimizations (the Debug configuration): there the JIT calls the runtime's helpers for what it otherwise expands
/// inline, and some of them allocate (a span over constant data allocates a field-handle stub a use).
/// </summary>
public sealed class OptimizedTheoryAttribute : TheoryAttribute
{
    public OptimizedTheoryAttribute()
    {
        if (typeof(IQuantizer).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            Skip = "about optimized code: the library was built without optimizations (run the tests with -c Release)";
        }
    }
}
