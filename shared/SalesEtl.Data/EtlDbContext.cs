using Microsoft.EntityFrameworkCore;
using SalesEtl.Data.Products;
using SalesEtl.Data.Quality;
using SalesEtl.Data.Runs;

namespace SalesEtl.Data;

/// <summary>
/// The small, rich entities (runs, products, reports). The bulk tables (staging, facts, metrics)
/// are created by the same migrations from <c>Schema/bulk_tables.sql</c> and written by COPY and set-based SQL.
/// </summary>
public sealed class EtlDbContext(DbContextOptions<EtlDbContext> options) : DbContext(options)
{
    public DbSet<BatchRunState> BatchRuns => Set<BatchRunState>();
    public DbSet<ProductSnapshot> ProductSnapshots => Set<ProductSnapshot>();
    public DbSet<ProductVersion> ProductVersions => Set<ProductVersion>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<ProductReject> ProductRejects => Set<ProductReject>();
    public DbSet<QualityReport> QualityReports => Set<QualityReport>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BatchRunState>(run =>
        {
            run.ToTable("batch_runs");
            run.HasKey(r => r.CorrelationId);
            run.Property(r => r.CorrelationId).HasColumnName("run_id");
            run.Property(r => r.CurrentState).HasMaxLength(64);
            run.HasIndex(r => r.SubmittedAt);
            run.HasIndex(r => r.StepDeadline);
        });

        modelBuilder.Entity<ProductSnapshot>(snapshot =>
        {
            snapshot.HasKey(s => s.SnapshotId);
            snapshot.HasIndex(s => s.RunId);
        });

        modelBuilder.Entity<ProductVersion>(version =>
        {
            version.HasKey(v => v.VersionId);
            version.Property(v => v.BasePrice).HasPrecision(18, 2);
            version.HasIndex(v => new { v.ProductId, v.ValidFromSnapshot });
            version.HasIndex(v => v.ValidToSnapshot);
        });

        modelBuilder.Entity<Product>(product => product.HasKey(p => p.ProductId));

        modelBuilder.Entity<ProductReject>(reject => reject.HasKey(r => new { r.SnapshotId, r.ItemNo }));

        modelBuilder.Entity<QualityReport>(report =>
        {
            report.HasKey(r => r.RunId);
            report.Property(r => r.ReportJson).HasColumnType("jsonb");
        });
    }
}
