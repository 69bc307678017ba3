using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesEtl.Data.Migrations
{
    /// <inheritdoc />
    public partial class RunStallTracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "retries",
                table: "batch_runs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "stall_notified_deadline",
                table: "batch_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "stall_redrives",
                table: "batch_runs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "step_deadline",
                table: "batch_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_batch_runs_step_deadline",
                table: "batch_runs",
                column: "step_deadline");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batch_runs_step_deadline",
                table: "batch_runs");

            migrationBuilder.DropColumn(
                name: "retries",
                table: "batch_runs");

            migrationBuilder.DropColumn(
                name: "stall_notified_deadline",
                table: "batch_runs");

            migrationBuilder.DropColumn(
                name: "stall_redrives",
                table: "batch_runs");

            migrationBuilder.DropColumn(
                name: "step_deadline",
                table: "batch_runs");
        }
    }
}
