using System.Globalization;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace SalesEtl.Operations.DeadLetters;

/// <summary>
/// Reads what a dead-lettered message says about itself: the MassTransit JSON envelope of the body
/// (<c>message.runId</c>, <c>messageType</c>) and the <c>MT-Fault-*</c> / <c>MT-Host-*</c> headers that
/// MassTransit adds when it moves a message to <c>_error</c>. Never throws on a body that is not JSON.
/// </summary>
public static class DeadLetterEnvelope
{
    public const string FaultHeaderPrefix = "MT-Fault-";
    public const string ReasonHeader = "MT-Reason";
    public const string RunIdHeader = "RunId";

    /// <summary>Whether a header was added by MassTransit's move to the error queue, so that a redrive drops it.</summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith(FaultHeaderPrefix, StringComparison.OrdinalIgnoreCase) || name.Equals(ReasonHeader, StringComparison.OrdinalIgnoreCase);

    public static DeadLetter Describe(int position, IReadOnlyBasicProperties properties, ReadOnlySpan<byte> body)
    {
        var headers = properties.Headers;
        var (runId, messageType) = ReadBody(body);
        runId ??= Guid.TryParse(Header(headers, RunIdHeader), out var fromHeader) ? fromHeader : null;
        messageType ??= ShortTypeName(Header(headers, "MT-Fault-MessageType"));
        var faultedAt = DateTimeOffset.TryParse(Header(headers, "MT-Fault-Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp)
            ? timestamp.ToUniversalTime()
            : (DateTimeOffset?)null;
        return new DeadLetter(
            position,
            properties.MessageId,
            runId,
            messageType,
            Header(headers, "MT-Fault-ExceptionType"),
            Header(headers, "MT-Fault-Message"),
            faultedAt,
            Header(headers, "MT-Fault-ConsumerType"),
            HostOf(headers));
    }

    /// <summary>The run a message belongs to, or null (body not JSON, no run id).</summary>
    public static Guid? RunIdOf(IReadOnlyBasicProperties properties, ReadOnlySpan<byte> body) =>
        ReadBody(body).RunId ?? (Guid.TryParse(Header(properties.Headers, RunIdHeader), out var id) ? id : null);

    /// <summary>A header as text: AMQP carries strings as bytes (UTF-8); other values as they format.</summary>
    public static string? Header(IDictionary<string, object?>? headers, string name)
    {
        if (headers is null || !headers.TryGetValue(name, out var value) || value is null)
            return null;
        return value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string text => text,
            AmqpTimestamp stamp => DateTimeOffset.FromUnixTimeSeconds(stamp.UnixTime).ToString("O", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }

    static string? HostOf(IDictionary<string, object?>? headers)
    {
        var machine = Header(headers, "MT-Host-MachineName");
        var process = Header(headers, "MT-Host-ProcessName");
        var pid = Header(headers, "MT-Host-ProcessId");
        if (machine is null && process is null)
            return null;
        return $"{machine ?? "?"}/{process ?? "?"}{(pid is null ? "" : $"[{pid}]")}";
    }

    // The MassTransit envelope keeps the message under "message"; a raw JSON message has its fields at the root.
    static (Guid? RunId, string? MessageType) ReadBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
            return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, null);
            string? messageType = null;
            if (root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array)
            {
                foreach (var type in types.EnumerateArray())
                {
                    messageType = ShortTypeName(type.ValueKind == JsonValueKind.String ? type.GetString() : null);
                    break;
                }
            }
            var message = root.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : root;
            return (RunIdIn(message), messageType);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    static Guid? RunIdIn(JsonElement message)
    {
        foreach (var property in message.EnumerateObject())
        {
            if (property.NameEquals("runId") || property.Name.Equals("runId", StringComparison.OrdinalIgnoreCase))
                return property.Value.ValueKind == JsonValueKind.String && property.Value.TryGetGuid(out var id) ? id : null;
        }
        return null;
    }

    // "urn:message:SalesEtl.Contracts:IngestSales" → "IngestSales"; "SalesEtl.Contracts.IngestSales" → "IngestSales";
    // a generic type ("MassTransit:Fault[[SalesEtl.Contracts:IngestSales]]") keeps its arguments as written.
    static string? ShortTypeName(string? type)
    {
        if (string.IsNullOrEmpty(type))
            return null;
        const string UrnPrefix = "urn:message:";
        if (type.StartsWith(UrnPrefix, StringComparison.Ordinal))
            type = type[UrnPrefix.Length..];
        var generic = type.IndexOf('[', StringComparison.Ordinal);
        var name = generic >= 0 ? type[..generic] : type;
        var cut = Math.Max(name.LastIndexOf(':'), name.LastIndexOf('.'));
        return cut >= 0 && cut < name.Length - 1 ? type[(cut + 1)..] : type;
    }
}
