using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>
    /// Every product sync looks for earlier facts flagged unknown_product that its snapshot can now match
    /// (late-arriving products, ProductSnapshotStore). Without an index that was a scan of fact_sales — every fact of
    /// every run, on every sync. The partial index holds only the flagged facts (about 1 % of rows), so it costs little
    /// on load and the sync reads only those.
    /// </summary>
    [DbContext(typeof(EtlDbContext))]
    [Migration("20261128100000_UnknownProductFactsIndex")]
    public partial class UnknownProductFactsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            const int flag = (int)SalesEtl.Pipeline.Sales.SaleFlags.UnknownProduct;
            migrationBuilder.Sql($"CREATE INDEX IF NOT EXISTS ix_fact_sales_unknown_product ON fact_sales (snapshot_id) WHERE (flags & {flag}) <> 0;");
            // Without statistics on the expression the planner takes every fact for flagged and scans the table anyway.
            migrationBuilder.Sql($"CREATE STATISTICS IF NOT EXISTS st_fact_sales_unknown_product ON ((flags & {flag})) FROM fact_sales;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP STATISTICS IF EXISTS st_fact_sales_unknown_product;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_fact_sales_unknown_product;");
        }
    }
}
