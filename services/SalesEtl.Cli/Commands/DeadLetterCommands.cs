using System.Globalization;
using System.Text.Json;
using SalesEtl.Operations.DeadLetters;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl dlq list</c> and <c>etl dlq redrive</c>: a thin adapter over <see cref="DeadLetterQueues"/>.</summary>
public static class DeadLetterCommands
{
    const int DefaultListLimit = 100;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> ExecuteAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        var action = line.Argument(0, "list|redrive");
        await using var deadLetters = new DeadLetterQueues(environment.Broker);
        try
        {
            return action switch
            {
                "list" => await ListAsync(line, deadLetters, environment, cancellationToken),
                "redrive" => await RedriveAsync(line, deadLetters, cancellationToken),
                _ => throw new UsageException($"Unknown dlq action '{action}': list or redrive."),
            };
        }
        catch (DeadLetterException exception)
        {
            await Console.Error.WriteLineAsync($"etl: {exception.Message}");
            return 1;
        }
    }

    static async Task<int> ListAsync(CommandLine line, DeadLetterQueues deadLetters, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--queue", "--limit", "--json");
        var limit = line.Value("--limit") is { } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new UsageException("--limit must be a whole number ≥ 0.")
            : DefaultListLimit;

        var listings = new List<DeadLetterListing>();
        foreach (var queue in await deadLetters.GetQueuesAsync(line.Value("--queue"), cancellationToken))
            listings.Add(await deadLetters.PeekAsync(queue, limit, cancellationToken));

        if (line.Has("--json"))
        {
            Console.WriteLine(JsonSerializer.Serialize(listings, Json));
            return 0;
        }

        var vhost = environment.Broker.VirtualHost;
        if (listings.Count == 0)
        {
            Console.WriteLine($"No error queues in virtual host '{vhost}'.");
            return 0;
        }
        Console.WriteLine($"Error queues of virtual host '{vhost}': {listings.Sum(l => l.Queue.Depth):N0} message(s) in {listings.Count(l => l.Queue.Depth > 0)} of {listings.Count} queue(s)");
        foreach (var (queue, messages) in listings)
        {
            Console.WriteLine();
            Console.WriteLine($"{queue.Name}  {queue.Depth:N0} message(s)  (redrive goes to {queue.SourceQueue})");
            if (messages.Count == 0)
                continue;
            Console.WriteLine($"  {"#",4}  {"run id",-36}  {"message type",-20}  {"faulted at (UTC)",-19}  {"consumer @ host",-40}  reason");
            foreach (var m in messages)
            {
                var faultedAt = m.FaultedAt is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "?";
                var where = $"{ShortName(m.Consumer) ?? "?"} @ {m.Host ?? "?"}";
                Console.WriteLine($"  {m.Position,4}  {m.RunId?.ToString() ?? "?",-36}  {m.MessageType ?? "?",-20}  {faultedAt,-19}  {where,-40}  {m.FaultExceptionType ?? "?"}: {OneLine(m.FaultMessage)}");
            }
            if (queue.Depth > messages.Count)
                Console.WriteLine($"  … and {queue.Depth - messages.Count:N0} more (--limit {messages.Count})");
        }
        return 0;
    }

    static async Task<int> RedriveAsync(CommandLine line, DeadLetterQueues deadLetters, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--queue", "--run");
        Guid? runId = line.Value("--run") is { } run
            ? Guid.TryParse(run, out var id) ? id : throw new UsageException($"--run '{run}' is not a run id.")
            : null;

        var results = new List<RedriveResult>();
        foreach (var queue in await deadLetters.GetQueuesAsync(line.Value("--queue"), cancellationToken))
        {
            if (queue.Depth == 0)
                continue;
            var result = await deadLetters.RedriveAsync(queue, runId, cancellationToken);
            results.Add(result);
            Console.WriteLine($"{result.ErrorQueue} → {result.SourceQueue}: {result.Moved:N0} moved, {result.Left:N0} left");
            if (result.Error is not null)
                await Console.Error.WriteLineAsync($"  {result.Error}");
        }
        var scope = runId is { } only ? $" of run {only}" : "";
        Console.WriteLine($"Redrive{scope}: {results.Sum(r => r.Moved):N0} moved, {results.Sum(r => r.Left):N0} left in {results.Count:N0} error queue(s)");
        return results.Any(r => r.Error is not null) ? 1 : 0;
    }

    // "SalesEtl.Ingestor.Consumers.IngestSalesConsumer" → "IngestSalesConsumer"
    static string? ShortName(string? typeName) =>
        typeName is null ? null : typeName[(typeName.LastIndexOf('.') + 1)..];

    static string OneLine(string? text) =>
        text is null ? "" : text.ReplaceLineEndings(" ");
}
