using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// A queue of its own bound to a message type's exchange, to see every copy the broker routed of that type (through
/// the management API, which reads its messages at once, unlike its statistics).
/// </summary>
public sealed class MessageSpy : IAsyncDisposable
{
    readonly HttpClient management;
    readonly string queuePath;

    MessageSpy(HttpClient management, string queuePath)
    {
        this.management = management;
        this.queuePath = queuePath;
    }

    /// <param name="exchange">MassTransit's exchange of the type, e.g. <c>SalesEtl.Contracts:StartBatchRun</c>.</param>
    public static async Task<MessageSpy> BindAsync(TestVirtualHost virtualHost, string exchange)
    {
        var (user, password) = TestInfrastructure.RabbitMqCredentials;
        var management = new HttpClient { BaseAddress = TestInfrastructure.RabbitMqManagement };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var vhost = Uri.EscapeDataString(virtualHost.Name);
        var queue = $"spy-{exchange.Replace(':', '-')}-{TestInfrastructure.UniqueSuffix()}";
        using (var created = await management.PutAsJsonAsync($"/api/queues/{vhost}/{Uri.EscapeDataString(queue)}", new { durable = false, auto_delete = false }))
            created.EnsureSuccessStatusCode();
        using (var bound = await management.PostAsJsonAsync($"/api/bindings/{vhost}/e/{Uri.EscapeDataString(exchange)}/q/{Uri.EscapeDataString(queue)}", new { routing_key = "" }))
            bound.EnsureSuccessStatusCode();
        return new MessageSpy(management, $"/api/queues/{vhost}/{Uri.EscapeDataString(queue)}");
    }

    /// <summary>The message ids of every copy routed so far (taken off the spy's queue).</summary>
    public async Task<IReadOnlyList<string>> TakeMessageIdsAsync()
    {
        using var response = await management.PostAsJsonAsync($"{queuePath}/get", new { count = 10_000, ackmode = "ack_requeue_false", encoding = "auto" });
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<JsonElement>();
        return messages.EnumerateArray().Select(m => m.GetProperty("properties").GetProperty("message_id").GetString()!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        using (await management.DeleteAsync(queuePath))
        {
        }
        management.Dispose();
    }
}
