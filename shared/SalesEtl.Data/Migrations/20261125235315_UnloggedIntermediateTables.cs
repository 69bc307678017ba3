using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>
    /// The two intermediate tables of a run (staged_sales: raw records; transformed_sales: candidate facts) become
    /// UNLOGGED: written without WAL, which roughly halves the cost of writing them. They are re-made from the
    /// source file by re-running the run; the results (fact_sales, rejects, metrics, reports) stay logged.
    /// Trade-off: a clean PostgreSQL restart keeps them, but after a crash (or an immediate shutdown) PostgreSQL
    /// empties them. A run in flight then fails loudly instead of loading partial results: the transformer refuses
    /// an empty staged chunk, and the metrics-loader checks that every row read is a candidate or a reject before
    /// it loads (docs/PERFORMANCE.md).
    /// </summary>
    public partial class UnloggedIntermediateTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE staged_sales SET UNLOGGED;");
            migrationBuilder.Sql("ALTER TABLE transformed_sales SET UNLOGGED;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE transformed_sales SET LOGGED;");
            migrationBuilder.Sql("ALTER TABLE staged_sales SET LOGGED;");
        }
    }
}
