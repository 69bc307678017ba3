using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SalesEtl.Data.Schema.BulkTables.CreateSql);

            migrationBuilder.CreateTable(
                name: "batch_runs",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    current_state = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source_path = table.Column<string>(type: "text", nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    products_url = table.Column<string>(type: "text", nullable: true),
                    chunk_size = table.Column<int>(type: "integer", nullable: false),
                    snapshot_id = table.Column<long>(type: "bigint", nullable: true),
                    total_chunks = table.Column<int>(type: "integer", nullable: true),
                    rows_read = table.Column<long>(type: "bigint", nullable: true),
                    staged_chunks = table.Column<List<int>>(type: "integer[]", nullable: false),
                    transformed_chunks = table.Column<List<int>>(type: "integer[]", nullable: false),
                    rows_transformed = table.Column<long>(type: "bigint", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: true),
                    rows_accepted = table.Column<long>(type: "bigint", nullable: true),
                    rows_rejected = table.Column<long>(type: "bigint", nullable: true),
                    duplicates_dropped = table.Column<long>(type: "bigint", nullable: true),
                    failed_step = table.Column<string>(type: "text", nullable: true),
                    failure_reason = table.Column<string>(type: "text", nullable: true),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ingested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    products_synced_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    transformed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_runs", x => x.run_id);
                });

            migrationBuilder.CreateTable(
                name: "product_rejects",
                columns: table => new
                {
                    snapshot_id = table.Column<long>(type: "bigint", nullable: false),
                    item_no = table.Column<int>(type: "integer", nullable: false),
                    product_id = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: false),
                    raw_json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_rejects", x => new { x.snapshot_id, x.item_no });
                });

            migrationBuilder.CreateTable(
                name: "product_snapshots",
                columns: table => new
                {
                    snapshot_id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_url = table.Column<string>(type: "text", nullable: false),
                    taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    items_read = table.Column<int>(type: "integer", nullable: false),
                    product_count = table.Column<int>(type: "integer", nullable: false),
                    rejected_count = table.Column<int>(type: "integer", nullable: false),
                    duplicate_count = table.Column<int>(type: "integer", nullable: false),
                    invalid_stock_count = table.Column<int>(type: "integer", nullable: false),
                    added = table.Column<int>(type: "integer", nullable: false),
                    changed = table.Column<int>(type: "integer", nullable: false),
                    deactivated = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_snapshots", x => x.snapshot_id);
                });

            migrationBuilder.CreateTable(
                name: "product_versions",
                columns: table => new
                {
                    version_id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    product_id = table.Column<string>(type: "text", nullable: false),
                    product_name = table.Column<string>(type: "text", nullable: true),
                    category = table.Column<string>(type: "text", nullable: true),
                    manufacturer = table.Column<string>(type: "text", nullable: true),
                    base_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    stock_quantity = table.Column<int>(type: "integer", nullable: true),
                    valid_from_snapshot = table.Column<long>(type: "bigint", nullable: false),
                    valid_to_snapshot = table.Column<long>(type: "bigint", nullable: true),
                    valid_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    valid_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_versions", x => x.version_id);
                });

            migrationBuilder.CreateTable(
                name: "products",
                columns: table => new
                {
                    product_id = table.Column<string>(type: "text", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    first_seen_snapshot = table.Column<long>(type: "bigint", nullable: false),
                    last_seen_snapshot = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_products", x => x.product_id);
                });

            migrationBuilder.CreateTable(
                name: "quality_reports",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    rows_read = table.Column<long>(type: "bigint", nullable: false),
                    rows_accepted = table.Column<long>(type: "bigint", nullable: false),
                    rows_rejected = table.Column<long>(type: "bigint", nullable: false),
                    duplicates_dropped = table.Column<long>(type: "bigint", nullable: false),
                    report_json = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quality_reports", x => x.run_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_runs_submitted_at",
                table: "batch_runs",
                column: "submitted_at");

            migrationBuilder.CreateIndex(
                name: "ix_product_snapshots_run_id",
                table: "product_snapshots",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_product_versions_product_id_valid_from_snapshot",
                table: "product_versions",
                columns: new[] { "product_id", "valid_from_snapshot" });

            migrationBuilder.CreateIndex(
                name: "ix_product_versions_valid_to_snapshot",
                table: "product_versions",
                column: "valid_to_snapshot");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION etl_div(numeric, numeric, integer); DROP TABLE staged_sales, transformed_sales, rejected_rows, duplicate_rows, fact_sales, product_revenue, channel_performance, channel_monthly, customer_frequency, customer_segments, inventory_valuation, inventory_by_category, inventory_by_manufacturer;");

            migrationBuilder.DropTable(
                name: "batch_runs");

            migrationBuilder.DropTable(
                name: "product_rejects");

            migrationBuilder.DropTable(
                name: "product_snapshots");

            migrationBuilder.DropTable(
                name: "product_versions");

            migrationBuilder.DropTable(
                name: "products");

            migrationBuilder.DropTable(
                name: "quality_reports");
        }
    }
}
