using Npgsql;
using RabbitMQ.Client.Exceptions;
using SalesEtl.Cli;
using SalesEtl.Cli.Bench;
using SalesEtl.Cli.Commands;
using SalesEtl.Cli.Embedded;

var Usage = $"""
    etl — the SalesEtl command line

    Usage:
      etl run <sales.csv> [--as-of <ISO time>] [--products-url <URL>] [--chunk-size N] [--timeout SECONDS]
            start a run by message and follow it; prints the run id on the first line;
            exit code 0 when the run succeeded (with or without warnings), 1 when it failed
      etl run <sales.csv> --embedded [--db FILE] [--products FILE] [--as-of <ISO time>] [--chunk-size N]
            the whole system in this process (in-memory bus, SQLite file, default .local/embedded.db;
            products from FILE, default products.json next to the sales file or samples/products.json);
            progress bars on a terminal, summary tables and a revenue chart at the end.
            status, runs and export take --embedded [--db FILE] to read its results
      etl status <run-id>          state, counts and data quality of one run
      etl runs [--limit N]         the most recent runs
      etl retry <run-id> [--timeout SECONDS]
            resume a failed run from the step that failed, reusing what completed, and follow it
      etl cancel <run-id> [--reason TEXT]
            stop a run; its partial results are purged
      etl export <run-id> --out DIR
            one CSV per metric table, rejects.csv and quality_report.json (SPEC §6)
      etl generate --rows N --out DIR [--seed S] [--as-of <ISO time>] [--bom] [--crlf] [--shuffle-columns] [--extra-columns]
            realistic, messy sales.csv and products.json (streamed: any N); prints both paths
      etl dlq list [--queue Q] [--limit N] [--json]
            every *_error queue of the virtual host with its depth and, for its first N messages
            (default 100), the run id, message type, fault time, consumer @ host and reason;
            messages are looked at and put back in place, never removed
      etl dlq redrive [--queue Q] [--run <run-id>]
            moves dead letters back to the queue they faulted on (X_error → X), all of them or
            only one run's (the others stay, in order); each is confirmed by the broker before
            it leaves the error queue; exit code 1 when a queue could not be redriven fully
      etl report <run-id> --out FILE [--top N]
            the run's report as one self-contained HTML page: outcome, step timeline,
            data quality, charts of revenue by product (top N, default 10), channel and month,
            customer segments and inventory value; the orchestrator serves it at /runs/<run-id>/report
    {SalesEtl.Cli.Bench.BenchCommand.Usage}

    Settings come from environment variables, with localhost defaults:
      ConnectionStrings__Postgres   RabbitMq__Host  RabbitMq__Port  RabbitMq__VirtualHost
      RabbitMq__Username  RabbitMq__Password  RabbitMq__ManagementUrl  Etl__ProductsUrl
    """;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var line = CommandLine.Parse(args, new HashSet<string>(["--help", "-h", "--json", EmbeddedCommands.Flag, .. GenerateCommand.Flags, .. BenchCommand.Flags]));
    if (line.Command is null or "help" || line.Has("--help"))
    {
        Console.WriteLine(Usage);
        return line.Command is null && !line.Has("--help") ? 64 : 0;
    }

    // Needs no server.
    if (line.Command == "generate")
        return GenerateCommand.Execute(line);

    // Needs no server either: everything in this process, on SQLite.
    if (line.Has(EmbeddedCommands.Flag))
        return await EmbeddedCommands.ExecuteAsync(line, cancellation.Token);

    await using var environment = new EtlEnvironment();
    return line.Command switch
    {
        "run" => await RunCommand.ExecuteAsync(line, environment, cancellation.Token),
        "status" => await QueryCommands.StatusAsync(line, environment, cancellation.Token),
        "runs" => await QueryCommands.RunsAsync(line, environment, cancellation.Token),
        "export" => await QueryCommands.ExportAsync(line, environment, cancellation.Token),
        "retry" => await ControlCommands.RetryAsync(line, environment, cancellation.Token),
        "cancel" => await ControlCommands.CancelAsync(line, environment, cancellation.Token),
        "dlq" => await DeadLetterCommands.ExecuteAsync(line, environment, cancellation.Token),
        "report" => await ReportCommand.ExecuteAsync(line, environment, cancellation.Token),
        "bench" => await SalesEtl.Cli.Bench.BenchCommand.ExecuteAsync(line, cancellation.Token),
        _ => throw new UsageException($"Unknown command '{line.Command}'."),
    };
}
catch (UsageException exception)
{
    await Console.Error.WriteLineAsync($"etl: {exception.Message}\n\n{Usage}");
    return 64;
}
catch (NpgsqlException exception)
{
    await Console.Error.WriteLineAsync($"etl: cannot reach PostgreSQL ({exception.Message}). Is it running? deploy/local/infra.sh starts it.");
    return 69;
}
catch (BrokerUnreachableException exception)
{
    await Console.Error.WriteLineAsync($"etl: cannot reach RabbitMQ ({exception.Message}). Is it running? deploy/local/infra.sh starts it.");
    return 69;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("etl: cancelled.");
    return 130;
}
