using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SalesEtl.Orchestrator.Api;

/// <summary>Section <c>Api</c>: the keys that may call the runs API (header <c>X-Api-Key</c>); mount them from a secret.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The key local development uses when none is configured; refused in any other environment.</summary>
    public const string LocalDevelopmentKey = "local-development-key";

    public List<string> Keys { get; set; } = [];
}

/// <summary>Accepts a request whose <c>X-Api-Key</c> header equals one of the configured keys (compared in constant time).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiOptions> apiOptions) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var presented) || presented.Count != 1 || string.IsNullOrEmpty(presented[0]))
            return Task.FromResult(AuthenticateResult.NoResult());

        var presentedBytes = Encoding.UTF8.GetBytes(presented[0]!);
        var known = apiOptions.Value.Keys.Any(key => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), presentedBytes));
        if (!known)
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

public static class ApiKeyAuthenticationRegistration
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<ApiOptions>()
            .Bind(configuration.GetSection(ApiOptions.Section))
            .PostConfigure(options =>
            {
                if (options.Keys.Count == 0 && environment.IsDevelopment())
                    options.Keys.Add(ApiOptions.LocalDevelopmentKey);
            })
            .Validate(options => options.Keys.Count > 0, "Api:Keys must name at least one API key (mount it from a secret).")
            .Validate(options => options.Keys.All(key => key.Length >= 16), "Every API key must be at least 16 characters long.")
            .Validate(options => environment.IsDevelopment() || !options.Keys.Contains(ApiOptions.LocalDevelopmentKey),
                "The local development API key is refused outside the Development environment.")
            .ValidateOnStart();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }
}
