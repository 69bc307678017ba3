using System.Diagnostics;
using System.Globalization;
using SalesEtl.SampleData;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl generate</c>: realistic, messy sample data (shared/SalesEtl.SampleData), streamed to files.</summary>
static class GenerateCommand
{
    public static readonly string[] Flags = ["--bom", "--crlf", "--shuffle-columns", "--extra-columns"];

    public static int Execute(CommandLine line)
    {
        line.RejectUnknown([.. Flags, "--rows", "--seed", "--out", "--as-of"]);
        var rows = Number(line, "--rows", required: true);
        if (rows < SalesDataGenerator.MinimumRows)
            throw new UsageException($"--rows must be at least {SalesDataGenerator.MinimumRows}, so that every messy case fits.");
        var options = new SampleDataOptions
        {
            Rows = rows,
            Seed = line.Has("--seed") ? Number(line, "--seed", required: true) : new SampleDataOptions().Seed,
            Bom = line.Has("--bom"),
            Crlf = line.Has("--crlf"),
            ShuffleColumns = line.Has("--shuffle-columns"),
            ExtraColumns = line.Has("--extra-columns"),
            AsOf = line.Value("--as-of") is { } asOf
                ? DateTimeOffset.Parse(asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : SalesDataGenerator.DefaultAsOf,
        };
        var outDir = line.Value("--out") ?? throw new UsageException("generate needs --out DIR.");

        var watch = Stopwatch.StartNew();
        var (sales, products) = new SalesDataGenerator(options).WriteTo(outDir);
        Console.WriteLine(sales);
        Console.WriteLine(products);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows:N0} rows (seed {options.Seed}, as-of {options.AsOf:yyyy-MM-ddTHH:mm:ssZ}) in {watch.Elapsed.TotalSeconds:0.0} s: {new FileInfo(sales).Length / 1024.0 / 1024.0:0.0} MiB"));
        return 0;
    }

    static int Number(CommandLine line, string option, bool required)
    {
        var text = line.Value(option);
        if (text is null)
            return required ? throw new UsageException($"generate needs {option} N.") : 0;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{option} takes a whole number, not '{text}'.");
    }
}
