using Npgsql;

namespace SalesEtl.TestSupport;

/// <summary>Where the real servers of the tests are: environment variables with localhost defaults.</summary>
public static class TestInfrastructure
{
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("ETL_TEST_POSTGRES") ?? "Host=localhost;Port=5432;Username=etl;Password=etl;Database=postgres";

    /// <summary>AMQP URI, e.g. <c>amqp://etl:etl@localhost:5672/</c>.</summary>
    public static Uri RabbitMq => new(Environment.GetEnvironmentVariable("ETL_TEST_RABBITMQ") ?? "amqp://etl:etl@localhost:5672/");

    public static Uri RabbitMqManagement => new(Environment.GetEnvironmentVariable("ETL_TEST_RABBITMQ_MANAGEMENT") ?? "http://localhost:15672");

    public static (string User, string Password) RabbitMqCredentials
    {
        get
        {
            var parts = RabbitMq.UserInfo.Split(':', 2);
            return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }
    }

    /// <summary>A short unique suffix for names of databases and virtual hosts of one test run.</summary>
    public static string UniqueSuffix() => Guid.NewGuid().ToString("N")[..10];

    internal static NpgsqlConnectionStringBuilder AdminBuilder() => new(PostgresAdmin);
}
