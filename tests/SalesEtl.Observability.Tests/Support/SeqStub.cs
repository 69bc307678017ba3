using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SalesEtl.Observability.Tests.Support;

/// <summary>One event as Seq would store it: the CLEF document of one line.</summary>
public sealed record SeqEvent(JsonElement Document)
{
    public string? Property(string name) => Document.TryGetProperty(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    public override string ToString() => Document.GetRawText();
}

/// <summary>
/// A local HTTP endpoint that speaks Seq's ingestion API as Serilog.Sinks.Seq 9 uses it: batches of
/// newline-delimited CLEF posted to <c>/api/events/raw</c> with content type <c>application/vnd.serilog.clef</c>.
/// </summary>
public sealed class SeqStub : IAsyncDisposable
{
    public const string ClefMediaType = "application/vnd.serilog.clef";

    readonly WebApplication app;
    readonly ConcurrentQueue<SeqEvent> events = new();
    readonly ConcurrentQueue<string> contentTypes = new();

    public string ServerUrl { get; private set; } = "";
    public IReadOnlyCollection<SeqEvent> Events => events;
    public IReadOnlyCollection<string> ContentTypes => contentTypes;

    SeqStub()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/api/events/raw", async (HttpRequest request) =>
        {
            contentTypes.Enqueue(request.ContentType ?? "");
            using var reader = new StreamReader(request.Body);
            while (await reader.ReadLineAsync(request.HttpContext.RequestAborted) is { } line)
            {
                if (line.Length == 0)
                    continue;
                using var document = JsonDocument.Parse(line);
                events.Enqueue(new SeqEvent(document.RootElement.Clone()));
            }
            return Results.Json(new { MinimumLevelAccepted = (string?)null }, statusCode: StatusCodes.Status201Created);
        });
    }

    public static async Task<SeqStub> StartAsync()
    {
        var stub = new SeqStub();
        await stub.app.StartAsync();
        stub.ServerUrl = stub.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return stub;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
