using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>
    /// Schema drift (run_ingest_info, product_snapshot_fields) and late-arriving products (late_product_matches,
    /// fact_sales_enriched): plain SQL tables outside the EF model, like the bulk tables, so the model snapshot
    /// does not change.
    /// </summary>
    [DbContext(typeof(EtlDbContext))]
    [Migration("20261126000000_ContractTables")]
    public partial class ContractTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SalesEtl.Data.Schema.BulkTables.ContractSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW fact_sales_enriched; DROP INDEX ix_fact_sales_unknown_product; DROP TABLE run_ingest_info, product_snapshot_fields, late_product_matches;");
        }
    }
}
