using Microsoft.EntityFrameworkCore;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>The run table of the embedded database, through EF Core on SQLite: the saga's final state, read by <c>etl status/runs --embedded</c>.</summary>
public sealed class EmbeddedDbContext(DbContextOptions<EmbeddedDbContext> options) : DbContext(options)
{
    public DbSet<BatchRunState> BatchRuns => Set<BatchRunState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<BatchRunState>(run =>
        {
            run.ToTable("batch_runs");
            run.HasKey(r => r.CorrelationId);
            run.Property(r => r.CorrelationId).HasColumnName("run_id");
            run.Property(r => r.CurrentState).HasMaxLength(64);
        });
}
