using BenchmarkDotNet.Running;

// dotnet run -c Release -- --filter '*'            every benchmark
// dotnet run -c Release -- --filter '*Csv*' --job short
BenchmarkSwitcher.FromAssembly(typeof(SalesEtl.Benchmarks.SampleFile).Assembly).Run(args);
