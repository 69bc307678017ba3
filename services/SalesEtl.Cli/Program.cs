using Npgsql;
using RabbitMQ.Client.Exceptions;
using SalesEtl.Cli;
using SalesEtl.Cli.Commands;

var Usage = $"""
    etl — the SalesEtl command line

    Usage:
      etl run <sales.csv> [--as-of <ISO time>] [--products-url <URL>] [--chunk-size N] [--timeout SECONDS]
            start a run by message and follow it; prints the run id on the first line;
            exit code 0 when the run succeeded (with or without warnings), 1 when it failed
      etl status <run-id>          state, counts and data quality of one run
      etl runs [--limit N]         the most recent runs
      etl retry <run-id> [--timeout SECONDS]
            resume a failed run from the step that failed, reusing what completed, and follow it
      etl cancel <run-id> [--reason TEXT]
            stop a run; its partial results are purged
      etl export <run-id> --out DIR
            one CSV per metric table, rejects.csv and quality_report.json (SPEC §6)
    {SalesEtl.Cli.Bench.BenchCommand.Usage}

    Settings come from environment variables, with localhost defaults:
      ConnectionStrings__Postgres   RabbitMq__Host  RabbitMq__Port  RabbitMq__VirtualHost
      RabbitMq__Username  RabbitMq__Password  Etl__ProductsUrl  RabbitMq__ManagementUrl (bench; default http://host:15672)
    """;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var line = CommandLine.Parse(args, new HashSet<string> { "--help", "-h" });
    if (line.Command is null or "help" || line.Has("--help"))
    {
        Console.WriteLine(Usage);
        return line.Command is null && !line.Has("--help") ? 64 : 0;
    }

    await using var environment = new EtlEnvironment();
    return line.Command switch
    {
        "run" => await RunCommand.ExecuteAsync(line, environment, cancellation.Token),
        "status" => await QueryCommands.StatusAsync(line, environment, cancellation.Token),
        "runs" => await QueryCommands.RunsAsync(line, environment, cancellation.Token),
        "export" => await QueryCommands.ExportAsync(line, environment, cancellation.Token),
        "retry" => await ControlCommands.RetryAsync(line, environment, cancellation.Token),
        "cancel" => await ControlCommands.CancelAsync(line, environment, cancellation.Token),
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
