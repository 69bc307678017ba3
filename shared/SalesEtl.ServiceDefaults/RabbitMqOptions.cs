using System.ComponentModel.DataAnnotations;

namespace SalesEtl.ServiceDefaults;

/// <summary>Broker connection (section <c>RabbitMq</c>; env <c>RabbitMq__Host</c>, …). Defaults are for local development.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required] public string Host { get; set; } = "localhost";
    [Range(1, 65535)] public int Port { get; set; } = 5672;
    [Required] public string VirtualHost { get; set; } = "/";
    [Required] public string Username { get; set; } = "etl";
    [Required] public string Password { get; set; } = "etl";

    /// <summary>Base URL of the management HTTP API (<c>RabbitMq__ManagementUrl</c>), used by operator tools such as <c>etl dlq</c>.</summary>
    [Required] public string ManagementUrl { get; set; } = "http://localhost:15672";

    /// <summary>AMQPS (<c>RabbitMq__UseTls</c>): required for a broker outside the cluster, e.g. a managed RabbitMQ (then usually port 5671).</summary>
    public bool UseTls { get; set; }

    /// <summary>The name the broker's certificate must carry, when it is not <see cref="Host"/> (e.g. connecting through an IP address).</summary>
    public string? TlsServerName { get; set; }

    /// <summary>A CA certificate file (PEM or DER) to trust for the broker besides the system's store, e.g. a private CA.</summary>
    public string? TlsCaCertificatePath { get; set; }

    /// <summary>Messages fetched ahead per consumer; bounds memory and spreads chunks over replicas.</summary>
    [Range(1, 1000)] public int PrefetchCount { get; set; } = 16;
}
