using Microsoft.EntityFrameworkCore;
using Npgsql;
using SalesEtl.Data;
using SalesEtl.Data.Reports;

namespace SalesEtl.Orchestrator.Api;

/// <summary>Read side of the runs: what <c>etl runs</c>, <c>etl status</c> and <c>etl report</c> show, over HTTP.</summary>
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
        // The page of `etl report`, rendered by the same code.
        runs.MapGet("/{runId:guid}/report", async (Guid runId, NpgsqlDataSource dataSource, CancellationToken cancellationToken, int? top) =>
        {
            var report = await new RunReportReader(dataSource).LoadAsync(runId, Math.Clamp(top ?? RunReportReader.DefaultTopProducts, 1, 100), cancellationToken);
            return report is null ? Results.NotFound() : Results.Content(RunReportPage.Render(report, DateTimeOffset.UtcNow), "text/html; charset=utf-8");
        });
        return app;
    }

    public sealed record RunSummary(Guid RunId, string State, string? Outcome, string SourcePath, DateTimeOffset SubmittedAt,
        DateTimeOffset? CompletedAt, long? RowsRead, long? RowsAccepted, long? RowsRejected);
}
