using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <summary>
    /// customer_frequency is indexed by run instead of keyed by (run, customer). The metrics step writes a run's
    /// customers once, from one GROUP BY customer (so each is one row), and everything reads them by run (export,
    /// segments, dashboards, clear and purge). The key made the finalization sort the 2 M customers of a 10 M-row run
    /// into key order and insert each into the key: about a third of the step's longest statement.
    /// </summary>
    [DbContext(typeof(EtlDbContext))]
    [Migration("20261129000000_CustomerFrequencyByRun")]
    public partial class CustomerFrequencyByRun : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE customer_frequency DROP CONSTRAINT IF EXISTS customer_frequency_pkey;");
            migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS ix_customer_frequency_run ON customer_frequency (run_id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_customer_frequency_run;");
            migrationBuilder.Sql("ALTER TABLE customer_frequency ADD PRIMARY KEY (run_id, customer_id);");
        }
    }
}
