using System.Net.Http.Headers;
using System.Text;
using SalesEtl.Operations.DeadLetters;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.TestSupport;

/// <summary>A RabbitMQ virtual host of its own for one test class or run, deleted at the end (with its queues).</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    readonly HttpClient management;

    public string Name { get; }

    TestVirtualHost(string name, HttpClient management)
    {
        Name = name;
        this.management = management;
    }

    public static async Task<TestVirtualHost> CreateAsync(string purpose)
    {
        var name = $"etl-test-{purpose}-{TestInfrastructure.UniqueSuffix()}";
        var (user, password) = TestInfrastructure.RabbitMqCredentials;
        var client = new HttpClient { BaseAddress = TestInfrastructure.RabbitMqManagement };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

        using (var response = await client.PutAsync($"/api/vhosts/{Uri.EscapeDataString(name)}", new StringContent("{}", Encoding.UTF8, "application/json")))
            response.EnsureSuccessStatusCode();
        using (var response = await client.PutAsync($"/api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(user)}",
                   new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))
            response.EnsureSuccessStatusCode();
        return new TestVirtualHost(name, client);
    }

    public RabbitMqOptions Options
    {
        get
        {
            var (user, password) = TestInfrastructure.RabbitMqCredentials;
            return new RabbitMqOptions
            {
                Host = TestInfrastructure.RabbitMq.Host,
                Port = TestInfrastructure.RabbitMq.Port > 0 ? TestInfrastructure.RabbitMq.Port : 5672,
                VirtualHost = Name,
                Username = user,
                Password = password,
                ManagementUrl = TestInfrastructure.RabbitMqManagement.ToString(),
            };
        }
    }

    /// <summary>The same settings as environment variables for a service process.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables
    {
        get
        {
            var o = Options;
            return new Dictionary<string, string>
            {
                ["RabbitMq__Host"] = o.Host,
                ["RabbitMq__Port"] = o.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq__VirtualHost"] = o.VirtualHost,
                ["RabbitMq__Username"] = o.Username,
                ["RabbitMq__Password"] = o.Password,
                ["RabbitMq__ManagementUrl"] = TestInfrastructure.RabbitMqManagement.ToString(),
            };
        }
    }

    /// <summary>This virtual host for the dead-letter tooling (AMQP and the management API).</summary>
    public BrokerEndpoint Broker
    {
        get
        {
            var o = Options;
            return new BrokerEndpoint(o.Host, o.Port, o.VirtualHost, o.Username, o.Password, TestInfrastructure.RabbitMqManagement);
        }
    }

    /// <summary>
    /// Dead-letter queues (<c>*_error</c>) that hold messages, with their exact depth. The counts come from an AMQP
    /// passive declare, as in <c>etl dlq list</c>: the management API's figures lag by up to 5 s, long enough to see
    /// a queue that was just redriven as still full (or a fresh dead letter as not there yet).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> NonEmptyErrorQueuesAsync()
    {
        await using var deadLetters = new DeadLetterQueues(Broker, management);
        var queues = await deadLetters.GetQueuesAsync(queue: null, CancellationToken.None);
        return queues.Where(q => q.Depth > 0).ToDictionary(q => q.Name, q => q.Depth);
    }

    /// <summary>
    /// Messages in every queue of this virtual host, ready or being handled (management API: its figures lag by up to
    /// 5 s, so a caller that needs the queues drained waits for a zero that lasts longer than that).
    /// </summary>
    public async Task<long> QueuedMessagesAsync()
    {
        using var queues = System.Text.Json.JsonDocument.Parse(await management.GetStringAsync($"/api/queues/{Uri.EscapeDataString(Name)}?columns=name,messages"));
        return queues.RootElement.EnumerateArray().Sum(q => q.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt64() : 0);
    }

    /// <summary>Deletes every message waiting in a queue: a lost message, for fault tests.</summary>
    public async Task PurgeQueueAsync(string queue)
    {
        using var response = await management.DeleteAsync($"/api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/contents");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Publishes raw bytes to a queue of this virtual host through the default exchange (management API), e.g. a poison message.</summary>
    public async Task PublishRawAsync(string queue, string payload, string contentType)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            properties = new { content_type = contentType, delivery_mode = 2 },
            routing_key = queue,
            payload,
            payload_encoding = "string",
        });
        using var response = await management.PostAsync($"/api/exchanges/{Uri.EscapeDataString(Name)}/amq.default/publish", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var routed = await response.Content.ReadAsStringAsync();
        if (!routed.Contains("\"routed\":true", StringComparison.Ordinal))
            throw new InvalidOperationException($"The message to {queue} was not routed: {routed}");
    }

    /// <summary>Deletes the virtual host now (its queues and connections go with it), e.g. to take the broker away from a service.</summary>
    public async Task DeleteAsync()
    {
        using var response = await management.DeleteAsync($"/api/vhosts/{Uri.EscapeDataString(Name)}");
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("ETL_TEST_KEEP_VHOSTS") != "1")
        {
            using var response = await management.DeleteAsync($"/api/vhosts/{Uri.EscapeDataString(Name)}");
        }
        management.Dispose();
    }
}
