using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>
    /// Staging becomes one row per chunk (staged_chunks: the chunk's records as one bytea payload, UNLOGGED,
    /// stored uncompressed) instead of one row per record (staged_sales, dropped): PostgreSQL no longer parses,
    /// indexes and returns every record twice (docs/PERFORMANCE.md). transformed_sales gains raw_text, which
    /// duplicate resolution used to join from staged_sales.
    /// Upgrading drops the records staged by runs in flight: they are intermediate, re-made by running the file
    /// again. Such a run fails loudly rather than loading partial results: a transformer finds no staged chunk, and
    /// a conflict row transformed before the upgrade has no raw_text for rejected_rows (NOT NULL).
    /// Plain SQL outside the EF model, like the other bulk tables, so the model snapshot does not change.
    /// </summary>
    [DbContext(typeof(EtlDbContext))]
    [Migration("20261128000000_StagedChunks")]
    public partial class StagedChunks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SalesEtl.Data.Schema.BulkTables.StagedChunksSql);
            migrationBuilder.Sql("DROP TABLE staged_sales;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // staged_sales as InitialCreate and UnloggedIntermediateTables left it, empty (the staged chunks are intermediate).
            migrationBuilder.Sql("""
                CREATE UNLOGGED TABLE staged_sales (
                    run_id uuid NOT NULL, chunk_no integer NOT NULL, source_line bigint NOT NULL, malformed boolean NOT NULL,
                    transaction_id text, customer_id text, product_id text, sale_date text, quantity text, total_price text,
                    sales_channel text, raw_text text NOT NULL,
                    PRIMARY KEY (run_id, chunk_no, source_line));
                ALTER TABLE transformed_sales DROP COLUMN raw_text;
                DROP TABLE staged_chunks;
                """);
        }
    }
}
