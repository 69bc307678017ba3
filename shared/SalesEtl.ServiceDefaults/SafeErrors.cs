using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SalesEtl.ServiceDefaults;

/// <summary>
/// Turns an unhandled exception into a bare 500 problem that names only a trace id: no stack
/// trace, no connection string, whatever the environment. The exception goes to the log.
/// </summary>
public static class SafeErrors
{
    public static IApplicationBuilder UseSafeErrors(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                var logger = context.RequestServices.GetService(typeof(ILogger<IApplicationBuilder>)) as ILogger;
                logger?.LogError(exception, "Unhandled error in {Method} {Path}", context.Request.Method, context.Request.Path);
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new
                {
                    type = "about:blank",
                    title = "An internal error occurred.",
                    status = 500,
                    traceId = context.TraceIdentifier,
                }, context.RequestAborted);
            }
        });
}
