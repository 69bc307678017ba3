using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Operations.DeadLetters;

/// <summary>An operator's request that cannot be carried out (no such queue, broker refused): a message for a person, not a bug.</summary>
public sealed class DeadLetterException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Lists and redrives MassTransit's dead letters (<c>X_error</c> → <c>X</c>) of one virtual host.
/// </summary>
/// <remarks>
/// <para>Queue names come from the management HTTP API (AMQP cannot list queues); everything else is AMQP.</para>
/// <para>Listing never loses or reorders a message: messages are fetched with <c>basic.get</c> without
/// acknowledgement and then all given back with one <c>basic.nack(multiple, requeue)</c>; RabbitMQ puts requeued
/// messages back at their original positions (and a connection that dies requeues them the same way).</para>
/// <para>A redrive publishes each message to the default exchange with the source queue as routing key
/// (mandatory, with publisher confirms) and acknowledges it in the error queue only after the broker confirmed
/// the publish: a crash in between leaves a duplicate, never a loss (the consumers are idempotent). Body,
/// properties and headers are kept, except the headers MassTransit added for the fault (<c>MT-Fault-*</c>,
/// <c>MT-Reason</c>). Messages of other runs are held unacknowledged and given back at the end, in their order.
/// A redrive examines at most the messages that were in the queue when it started, so a message that faults
/// again at once is not moved round in a loop.</para>
/// </remarks>
public sealed class DeadLetterQueues : IAsyncDisposable
{
    const string DefaultExchange = "";

    readonly BrokerEndpoint endpoint;
    readonly HttpClient management;
    readonly bool ownsManagement;
    IConnection? connection;

    /// <param name="managementClient">For tests; by default a client of <see cref="BrokerEndpoint.ManagementUrl"/> is made and owned.</param>
    public DeadLetterQueues(BrokerEndpoint endpoint, HttpClient? managementClient = null)
    {
        this.endpoint = endpoint;
        ownsManagement = managementClient is null;
        management = managementClient ?? new HttpClient(ManagementHandler(endpoint)) { BaseAddress = endpoint.ManagementUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// The error queues of the virtual host with their depth (ready messages), sorted by name; or just the one named
    /// by <paramref name="queue"/> (<c>X</c> or <c>X_error</c>), which must exist.
    /// </summary>
    public async Task<IReadOnlyList<DeadLetterQueue>> GetQueuesAsync(string? queue, CancellationToken cancellationToken)
    {
        var names = queue is null
            ? (await ListQueueNamesAsync(cancellationToken)).Where(DeadLetterQueueNames.IsErrorQueue).Order(StringComparer.Ordinal).ToList()
            : [DeadLetterQueueNames.IsErrorQueue(queue) ? queue : queue + DeadLetterQueueNames.ErrorSuffix];

        var queues = new List<DeadLetterQueue>(names.Count);
        foreach (var name in names)
        {
            var depth = await DepthAsync(name, cancellationToken);
            if (depth is null)
            {
                if (queue is not null)
                    throw new DeadLetterException($"There is no queue '{name}' in virtual host '{endpoint.VirtualHost}'.");
                continue; // deleted since it was listed
            }
            queues.Add(new DeadLetterQueue(name, DeadLetterQueueNames.SourceQueue(name), depth.Value));
        }
        return queues;
    }

    /// <summary>The first <paramref name="limit"/> messages of an error queue, in queue order, left where they are.</summary>
    public async Task<DeadLetterListing> PeekAsync(DeadLetterQueue queue, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var messages = new List<DeadLetter>();
        await using var channel = await OpenChannelAsync(confirms: false, cancellationToken);
        ulong held = 0;
        try
        {
            while (messages.Count < limit)
            {
                var message = await channel.BasicGetAsync(queue.Name, autoAck: false, cancellationToken);
                if (message is null)
                    break;
                held = message.DeliveryTag;
                messages.Add(DeadLetterEnvelope.Describe(messages.Count + 1, message.BasicProperties, message.Body.Span));
            }
        }
        finally
        {
            await GiveBackAsync(channel, held);
        }
        return new DeadLetterListing(queue, messages);
    }

    /// <summary>
    /// Moves the messages of an error queue back to their source queue, all of them or only those of one run
    /// (the others stay, in their order). Stops at the first message the broker does not accept and reports why.
    /// </summary>
    public async Task<RedriveResult> RedriveAsync(DeadLetterQueue queue, Guid? runId, CancellationToken cancellationToken)
    {
        if (await DepthAsync(queue.SourceQueue, cancellationToken) is null)
            return new RedriveResult(queue.Name, queue.SourceQueue, 0, (int)Math.Min(queue.Depth, int.MaxValue),
                $"The source queue '{queue.SourceQueue}' does not exist (is its service deployed?); nothing was moved.");
        var budget = await DepthAsync(queue.Name, cancellationToken)
            ?? throw new DeadLetterException($"There is no queue '{queue.Name}' in virtual host '{endpoint.VirtualHost}'.");

        await using var channel = await OpenChannelAsync(confirms: true, cancellationToken);
        int moved = 0, left = 0;
        string? error = null;
        ulong held = 0; // the highest delivery tag not acknowledged: given back (requeued) at the end
        try
        {
            for (long examined = 0; examined < budget; examined++)
            {
                var message = await channel.BasicGetAsync(queue.Name, autoAck: false, cancellationToken);
                if (message is null)
                    break;
                var previous = held;
                held = message.DeliveryTag;
                if (runId is { } wanted && DeadLetterEnvelope.RunIdOf(message.BasicProperties, message.Body.Span) != wanted)
                {
                    left++;
                    continue;
                }

                try
                {
                    await channel.BasicPublishAsync(DefaultExchange, queue.SourceQueue, mandatory: true, WithoutFaultHeaders(message.BasicProperties), message.Body.ToArray(), cancellationToken);
                }
                catch (PublishException exception)
                {
                    left++;
                    error = exception.IsReturn
                        ? $"The broker could not route a message to '{queue.SourceQueue}' (returned); it stays in '{queue.Name}'."
                        : $"The broker did not confirm the publish to '{queue.SourceQueue}' (nack); the message stays in '{queue.Name}'.";
                    break;
                }
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                held = previous;
                moved++;
            }
        }
        finally
        {
            await GiveBackAsync(channel, held);
        }

        // Messages not reached after an error stay where they are: count them as left.
        if (error is not null)
            left = (int)Math.Min(int.MaxValue, Math.Max(left, budget - moved));
        return new RedriveResult(queue.Name, queue.SourceQueue, moved, left, error);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.CloseAsync();
            connection.Dispose();
        }
        if (ownsManagement)
            management.Dispose();
    }

    async Task<IReadOnlyList<string>> ListQueueNamesAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/queues/{Uri.EscapeDataString(endpoint.VirtualHost)}?columns=name");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{endpoint.Username}:{endpoint.Password}")));
        HttpResponseMessage response;
        try
        {
            response = await management.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new DeadLetterException($"Cannot reach the RabbitMQ management API at {endpoint.ManagementUrl} ({exception.Message}).", exception);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new DeadLetterException($"The RabbitMQ management API at {endpoint.ManagementUrl} refused user '{endpoint.Username}' ({(int)response.StatusCode}); it needs the management or monitoring tag.");
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new DeadLetterException($"There is no virtual host '{endpoint.VirtualHost}' on {endpoint.ManagementUrl}.");
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return document.RootElement.EnumerateArray()
                .Select(q => q.TryGetProperty("name", out var name) ? name.GetString() : null)
                .OfType<string>()
                .ToList();
        }
    }

    // Ready messages of a queue, or null when it does not exist (a passive declare of a missing queue closes its channel).
    async Task<long?> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        await using var channel = await OpenChannelAsync(confirms: false, cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return ok.MessageCount;
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    async Task<IChannel> OpenChannelAsync(bool confirms, CancellationToken cancellationToken)
    {
        connection ??= await ConnectAsync(cancellationToken);
        return await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: confirms),
            cancellationToken);
    }

    async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = endpoint.Host,
            Port = endpoint.Port,
            VirtualHost = endpoint.VirtualHost,
            UserName = endpoint.Username,
            Password = endpoint.Password,
            ClientProvidedName = "etl-dead-letters",
            AutomaticRecoveryEnabled = false,
        };
        if (endpoint.Tls is { } tls)
        {
            factory.Ssl = new SslOption
            {
                Enabled = true,
                ServerName = tls.ServerName,
                Version = BrokerTls.Protocols,
                CertificateValidationCallback = tls.CreateValidator(),
            };
        }
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException exception) when (FindInner<System.Security.Authentication.AuthenticationException>(exception) is { } tlsFailure)
        {
            throw new DeadLetterException(
                $"TLS to RabbitMQ at {endpoint.Host}:{endpoint.Port} failed: {tlsFailure.Message} (RabbitMq__TlsServerName, RabbitMq__TlsCaCertificatePath).", exception);
        }
    }

    static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
                return found;
        }
        return null;
    }

    static HttpMessageHandler ManagementHandler(BrokerEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler();
        if (endpoint.Tls?.CreateValidator() is { } validator)
            handler.SslOptions.RemoteCertificateValidationCallback = validator;
        return handler;
    }

    // Requeues every message this channel still holds, at its original position. If the channel is gone, the
    // broker has requeued them already.
    static async Task GiveBackAsync(IChannel channel, ulong highestHeld)
    {
        if (highestHeld == 0 || !channel.IsOpen)
            return;
        try
        {
            await channel.BasicNackAsync(highestHeld, multiple: true, requeue: true, CancellationToken.None);
        }
        catch (AlreadyClosedException)
        {
        }
    }

    static BasicProperties WithoutFaultHeaders(IReadOnlyBasicProperties original)
    {
        var properties = new BasicProperties(original);
        if (original.Headers is { } headers)
        {
            properties.Headers = headers
                .Where(h => !DeadLetterEnvelope.IsFaultHeader(h.Key))
                .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        }
        return properties;
    }
}
