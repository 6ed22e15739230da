using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(DiffQuant.Benchmarks.QuantizerBenchmarks).Assembly).Run(args);
