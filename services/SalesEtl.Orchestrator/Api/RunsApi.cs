using Microsoft.EntityFrameworkCore;
using SalesEtl.Data;

namespace SalesEtl.Orchestrator.Api;

/// <summary>Read side of the runs: what <c>etl runs</c> and <c>etl status</c> show, over HTTP.</summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/runs");
        runs.MapGet("/", async (IDbContextFactory<EtlDbContext> factory, CancellationToken cancellationToken, int? limit) =>
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var recent = await db.BatchRuns.AsNoTracking()
                .OrderByDescending(r => r.SubmittedAt)
                .Take(Math.Clamp(limit ?? 20, 1, 500))
                .Select(r => new RunSummary(r.CorrelationId, r.CurrentState, r.Outcome, r.SourcePath, r.SubmittedAt, r.CompletedAt, r.RowsRead, r.RowsAccepted, r.RowsRejected))
                .ToListAsync(cancellationToken);
            return Results.Ok(recent);
        });
        runs.MapGet("/{runId:guid}", async (Guid runId, IDbContextFactory<EtlDbContext> factory, CancellationToken cancellationToken) =>
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
            return run is null ? Results.NotFound() : Results.Ok(run);
        });
        return app;
    }

    public sealed record RunSummary(Guid RunId, string State, string? Outcome, string SourcePath, DateTimeOffset SubmittedAt,
        DateTimeOffset? CompletedAt, long? RowsRead, long? RowsAccepted, long? RowsRejected);
}
