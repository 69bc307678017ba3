using System.Text.Json;

namespace SalesEtl.Catalog.Faults;

/// <summary>
/// Faults of the product API, for tests and demos (section <c>Catalog:Faults</c> at start; <c>POST /faults</c> at run time).
/// "Next" counters are spent one per request; a request takes latency first, then may fail, then may have its body spoiled.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Delay added to every request, in milliseconds.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Share of requests (0 to 1) answered with <see cref="StatusCode"/>.</summary>
    public double FailureRate { get; init; }

    /// <summary>The next N requests are answered with <see cref="StatusCode"/>.</summary>
    public int FailNext { get; init; }

    /// <summary>Status of a failed request: 500, 503, 429, or any other 4xx/5xx.</summary>
    public int StatusCode { get; init; } = 503;

    /// <summary><c>Retry-After</c> seconds sent with a failure; a 429 always gets one (1 s when not set).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Share of successful pages whose JSON body is cut in half.</summary>
    public double TruncateRate { get; init; }

    /// <summary>The next N successful pages are cut in half.</summary>
    public int TruncateNext { get; init; }

    /// <summary>Share of successful pages answered with a body that is not JSON.</summary>
    public double InvalidJsonRate { get; init; }

    /// <summary>The next N successful pages are answered with a body that is not JSON.</summary>
    public int InvalidJsonNext { get; init; }

    public static FaultSettings None { get; } = new();

    /// <summary>What is wrong with these settings, by field; empty when they are usable.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (LatencyMs is < 0 or > 600_000)
            errors[Name(nameof(LatencyMs))] = ["must be from 0 to 600000"];
        if (StatusCode is < 400 or > 599)
            errors[Name(nameof(StatusCode))] = ["must be a 4xx or 5xx status"];
        if (RetryAfterSeconds is < 0 or > 3600)
            errors[Name(nameof(RetryAfterSeconds))] = ["must be from 0 to 3600"];
        foreach (var (name, rate) in new[] { (nameof(FailureRate), FailureRate), (nameof(TruncateRate), TruncateRate), (nameof(InvalidJsonRate), InvalidJsonRate) })
            if (double.IsNaN(rate) || rate is < 0 or > 1)
                errors[Name(name)] = ["must be from 0 to 1"];
        foreach (var (name, count) in new[] { (nameof(FailNext), FailNext), (nameof(TruncateNext), TruncateNext), (nameof(InvalidJsonNext), InvalidJsonNext) })
            if (count < 0)
                errors[Name(name)] = ["must not be negative"];
        return errors;
    }

    // Errors name the fields as the JSON body spells them.
    static string Name(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);
}
