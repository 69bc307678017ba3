namespace SalesEtl.Catalog.Faults;

public static class FaultInjection
{
    public const string Section = "Catalog:Faults";

    public static IServiceCollection AddFaultInjection(this IServiceCollection services, IConfiguration configuration)
    {
        var initial = configuration.GetSection(Section).Get<FaultSettings>() ?? FaultSettings.None;
        var errors = initial.Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException($"Bad fault settings in {Section}: " + string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
        services.AddSingleton(new FaultState(initial));
        return services;
    }

    /// <summary>Faults touch the product API only: <c>/faults</c> and the health endpoints always answer.</summary>
    public static WebApplication UseFaultInjection(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/products"), branch => branch.UseMiddleware<FaultInjectionMiddleware>());
        return app;
    }

    public static WebApplication MapFaultEndpoints(this WebApplication app)
    {
        var faults = app.MapGroup("/faults");
        faults.MapGet("/", (FaultState state) => Results.Ok(state.Current));
        faults.MapPost("/", SetFaults);
        faults.MapDelete("/", (FaultState state) =>
        {
            state.Set(FaultSettings.None);
            return Results.Ok(state.Current);
        });
        return app;
    }

    // The body replaces the faults in force (fields left out are off), it does not merge into them.
    static IResult SetFaults(FaultSettings settings, FaultState state, ILogger<FaultState> logger)
    {
        var errors = settings.Validate();
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, detail: "Bad fault settings.");
        state.Set(settings);
        logger.LogInformation("Faults set: {@Faults}", settings);
        return Results.Ok(settings);
    }
}
