using SalesEtl.ServiceDefaults;

namespace SalesEtl.Operations.DeadLetters;

/// <summary>Where the broker is: AMQP for reading and moving messages, the management HTTP API for listing queues.</summary>
/// <param name="ManagementUrl">Base URL of the RabbitMQ management API, e.g. <c>http://localhost:15672</c>.</param>
/// <param name="Tls">AMQPS settings; null for plain AMQP. Its CA is trusted for an <c>https</c> management URL too.</param>
public sealed record BrokerEndpoint(string Host, int Port, string VirtualHost, string Username, string Password, Uri ManagementUrl, BrokerTls? Tls = null);
