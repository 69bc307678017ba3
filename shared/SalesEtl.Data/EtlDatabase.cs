using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace SalesEtl.Data;

/// <summary>How every process of the system reaches PostgreSQL.</summary>
public static class EtlDatabase
{
    /// <summary>Configuration key of the connection string (env: <c>ConnectionStrings__Postgres</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    /// <summary>The local development default; containers always override it.</summary>
    public const string LocalConnectionString = "Host=localhost;Port=5432;Database=sales_etl;Username=etl;Password=etl";

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    /// <summary>Registers one pooled <see cref="NpgsqlDataSource"/> (for COPY and set-based SQL) and the <see cref="EtlDbContext"/> factory over it.</summary>
    public static IServiceCollection AddEtlDatabase(this IServiceCollection services, string connectionString)
    {
        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        services.AddSingleton(dataSource);
        services.AddDbContextFactory<EtlDbContext>(options => Configure(options, dataSource));
        return services;
    }

    public static EtlDbContext CreateContext(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<EtlDbContext>();
        Configure(options, dataSource);
        return new EtlDbContext(options.Options);
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
public sealed class DesignTimeEtlDbContextFactory : IDesignTimeDbContextFactory<EtlDbContext>
{
    public EtlDbContext CreateDbContext(string[] args) =>
        EtlDatabase.CreateContext(new NpgsqlDataSourceBuilder(EtlDatabase.LocalConnectionString).Build());
}
