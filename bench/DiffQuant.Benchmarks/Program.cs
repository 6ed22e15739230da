using BenchmarkDotNet.Running;
using DiffQuant.Benchmarks;

// `interleaved [ROUNDS]`: the quantizer cells beside a control (InterleavedQuantizerRun), a process a kind, each started
// here as `interleaved-kind KIND ROUNDS`; anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["interleaved"]:
        return InterleavedQuantizerRun.Run(new InterleavedQuantizerRun.Options());
    case ["interleaved", var rounds]:
        return Rounds(rounds) is { } count ? InterleavedQuantizerRun.Run(new InterleavedQuantizerRun.Options { Rounds = count }) : 2;
    case [InterleavedQuantizerRun.KindVerb, var kind, var rounds] when QuantizerBenchmarks.Kinds.Contains(kind):
        return Rounds(rounds) is { } n ? RunKind(kind, n) : 2;
    case ["interleaved", ..] or [InterleavedQuantizerRun.KindVerb, ..]:
        Console.Error.WriteLine($"error: usage: interleaved [ROUNDS] (or {InterleavedQuantizerRun.KindVerb} KIND ROUNDS, KIND one of {string.Join(", ", QuantizerBenchmarks.Kinds)}).");
        return 2;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(QuantizerBenchmarks).Assembly).Run(args);
        return 0;
}

static int RunKind(string kind, int rounds)
{
    InterleavedQuantizerRun.RunKind(kind, new InterleavedQuantizerRun.Options { Rounds = rounds });
    return 0;
}

static int? Rounds(string text)
{
    if (int.TryParse(text, out var count) && count >= 1)
    {
        return count;
    }

    Console.Error.WriteLine($"error: interleaved takes a positive number of rounds, got '{text}'.");
    return null;
}
