using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace SalesEtl.Catalog.Faults;

/// <summary>Applies the faults in force to a <c>/products</c> request: latency, an error status, or a spoiled body.</summary>
public sealed class FaultInjectionMiddleware(RequestDelegate next, FaultState faults, ILogger<FaultInjectionMiddleware> logger)
{
    static readonly byte[] InvalidJsonBody = Encoding.UTF8.GetBytes("""{"items": [ {"product_id": "P-1", "base_price": 1.0} ]], "page": oops""");

    public async Task InvokeAsync(HttpContext context)
    {
        var decision = faults.Next();
        if (decision.Latency > TimeSpan.Zero)
            await Task.Delay(decision.Latency, context.RequestAborted);

        if (decision.FailStatus is { } status)
        {
            logger.LogInformation("Fault: answering {Path}{Query} with {StatusCode}", context.Request.Path, context.Request.QueryString, status);
            context.Response.StatusCode = status;
            if (decision.RetryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsJsonAsync(new ProblemDetails { Title = "Injected fault", Status = status }, (JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
            return;
        }

        if (decision.Body == BodyFault.None)
        {
            await next(context);
            return;
        }

        // Spoiling the body needs all of it first.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            logger.LogInformation("Fault: {BodyFault} body for {Path}{Query}", decision.Body, context.Request.Path, context.Request.QueryString);
            body = decision.Body == BodyFault.Truncated ? body[..(body.Length / 2)] : InvalidJsonBody;
        }
        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, context.RequestAborted);
    }
}
