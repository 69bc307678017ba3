using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesEtl.Contracts;
using Npgsql;
using SalesEtl.Data;
using SalesEtl.Data.Reports;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Orchestrator.Api;

/// <summary>The runs API: start, list, inspect, cancel and retry runs; every endpoint needs an API key.</summary>
public static class RunsApi
{
    public sealed record StartRunRequest(string SourcePath, DateTimeOffset? AsOf, string? ProductsUrl, int? ChunkSize);

    public sealed record RunAccepted(Guid RunId, string Status);

    public sealed record RunSummary(Guid RunId, string State, string? Outcome, string SourcePath, DateTimeOffset SubmittedAt,
        DateTimeOffset? CompletedAt, long? RowsRead, long? RowsAccepted, long? RowsRejected);

    public sealed record RunDetail(Guid RunId, string State, string? Outcome, string SourcePath, DateTimeOffset AsOf, DateTimeOffset SubmittedAt,
        DateTimeOffset? IngestedAt, DateTimeOffset? ProductsSyncedAt, DateTimeOffset? TransformedAt, DateTimeOffset? CompletedAt,
        int? TotalChunks, int ChunksStaged, int ChunksTransformed, long? RowsRead, long? RowsAccepted, long? RowsRejected,
        long? DuplicatesDropped, string? FailedStep, string? FailureReason, int Retries);

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/runs").RequireAuthorization();
        runs.MapPost("/", StartAsync);
        runs.MapGet("/", ListAsync);
        runs.MapGet("/{runId:guid}", GetAsync);
        runs.MapPost("/{runId:guid}/cancel", (Guid runId, IDbContextFactory<EtlDbContext> db, IPublishEndpoint bus, CancellationToken ct) =>
            ControlAsync(runId, db, bus, new CancelBatchRun(runId, "cancelled through the API"), "cancel requested", ct));
        runs.MapPost("/{runId:guid}/retry", (Guid runId, IDbContextFactory<EtlDbContext> db, IPublishEndpoint bus, CancellationToken ct) =>
            ControlAsync(runId, db, bus, new RetryBatchRun(runId), "retry requested", ct));
        // The page of `etl report`, rendered by the same code.
        runs.MapGet("/{runId:guid}/report", async (Guid runId, NpgsqlDataSource dataSource, CancellationToken cancellationToken, int? top) =>
        {
            var report = await new RunReportReader(dataSource).LoadAsync(runId, Math.Clamp(top ?? RunReportReader.DefaultTopProducts, 1, 100), cancellationToken);
            return report is null ? Results.NotFound() : Results.Content(RunReportPage.Render(report, DateTimeOffset.UtcNow), "text/html; charset=utf-8");
        });
        return app;
    }

    static async Task<IResult> StartAsync(StartRunRequest request, InputPathPolicy paths, IPublishEndpoint bus, CancellationToken cancellationToken)
    {
        if (paths.Check(request.SourcePath, out var realPath) is { } problem)
            return Results.Problem(title: "The source file cannot be used.", detail: problem, statusCode: StatusCodes.Status400BadRequest);
        if (request.ChunkSize is <= 0 or > 1_000_000)
            return Results.Problem(title: "chunkSize must be between 1 and 1,000,000.", statusCode: StatusCodes.Status400BadRequest);
        if (request.ProductsUrl is not null && !Uri.TryCreate(request.ProductsUrl, UriKind.Absolute, out _))
            return Results.Problem(title: "productsUrl must be an absolute URL.", statusCode: StatusCodes.Status400BadRequest);

        var runId = NewId.NextGuid();
        await bus.Publish(new StartBatchRun(runId, realPath, (request.AsOf ?? DateTimeOffset.UtcNow).ToUniversalTime(),
            request.ProductsUrl, request.ChunkSize, DateTimeOffset.UtcNow), cancellationToken);
        return Results.Accepted($"/runs/{runId}", new RunAccepted(runId, "submitted"));
    }

    static async Task<IResult> ListAsync(IDbContextFactory<EtlDbContext> factory, int? limit, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var recent = await db.BatchRuns.AsNoTracking()
            .OrderByDescending(r => r.SubmittedAt)
            .Take(Math.Clamp(limit ?? 20, 1, 500))
            .Select(r => new RunSummary(r.CorrelationId, r.CurrentState, r.Outcome, r.SourcePath, r.SubmittedAt, r.CompletedAt, r.RowsRead, r.RowsAccepted, r.RowsRejected))
            .ToListAsync(cancellationToken);
        return Results.Ok(recent);
    }

    static async Task<IResult> GetAsync(Guid runId, IDbContextFactory<EtlDbContext> factory, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
        return run is null
            ? Results.NotFound()
            : Results.Ok(new RunDetail(run.CorrelationId, run.CurrentState, run.Outcome, run.SourcePath, run.AsOf, run.SubmittedAt,
                run.IngestedAt, run.ProductsSyncedAt, run.TransformedAt, run.CompletedAt, run.TotalChunks, run.StagedChunks.Count,
                run.TransformedChunks.Count, run.RowsRead, run.RowsAccepted, run.RowsRejected, run.DuplicatesDropped,
                run.FailedStep, run.FailureReason, run.Retries));
    }

    static async Task<IResult> ControlAsync<T>(Guid runId, IDbContextFactory<EtlDbContext> factory, IPublishEndpoint bus, T command, string status, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (!await db.BatchRuns.AnyAsync(r => r.CorrelationId == runId, cancellationToken))
            return Results.NotFound();
        await bus.Publish(command, cancellationToken);
        return Results.Accepted($"/runs/{runId}", new RunAccepted(runId, status));
    }
}
