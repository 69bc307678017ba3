using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>Streaming ingestion (stream_events, stream_windows, stream_seen_transactions) and the inbox trigger (inbox_files).</summary>
    [DbContext(typeof(EtlDbContext))]
    [Migration("20261127000000_StreamingTables")]
    public partial class StreamingTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SalesEtl.Data.Streaming.StreamTables.CreateSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE stream_events, stream_windows, stream_seen_transactions, inbox_files;");
        }
    }
}
