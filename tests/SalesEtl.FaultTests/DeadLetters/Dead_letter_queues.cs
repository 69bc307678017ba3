using System.Text.Json;
using SalesEtl.Operations.DeadLetters;
using SalesEtl.TestSupport;

namespace SalesEtl.FaultTests.DeadLetters;

/// <summary>
/// Listing and redriving messages that MassTransit itself dead-lettered on a real RabbitMQ: a consumer that
/// throws (no retry) fills <c>poison-probe_error</c> with messages of several runs; the shared
/// <see cref="DeadLetterQueues"/> lists and moves them back, and the consumer, now healthy, takes them.
/// </summary>
public sealed class Dead_letter_queues
{
    static readonly Guid RunA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    static readonly Guid RunB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");
    static readonly Guid RunC = Guid.Parse("cccccccc-0000-0000-0000-000000000003");

    // Interleaved, so that a redrive of one run must pick messages out of the middle of the queue.
    static readonly Guid[] Runs = [RunA, RunB, RunA, RunC, RunB, RunA];

    [Fact]
    public async Task Should_list_each_message_with_its_run_type_reason_time_and_consumer()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);

        var queue = Assert.Single(await deadLetters.GetQueuesAsync(null, CancellationToken.None));
        Assert.Equal(new DeadLetterQueue(PoisonedQueue.ErrorQueue, PoisonedQueue.Endpoint, Runs.Length), queue);

        var listing = await deadLetters.PeekAsync(queue, limit: 100, CancellationToken.None);
        Assert.Equal(Runs, listing.Messages.Select(m => m.RunId!.Value));
        Assert.Equal(poisoned.Published.Select(p => p.MessageId.ToString()), listing.Messages.Select(m => m.MessageId));
        Assert.Equal(Enumerable.Range(1, Runs.Length), listing.Messages.Select(m => m.Position));
        Assert.All(listing.Messages, m =>
        {
            Assert.Equal(nameof(PoisonMessage), m.MessageType);
            Assert.Equal(typeof(InvalidOperationException).FullName, m.FaultExceptionType);
            Assert.StartsWith(PoisonConsumer.FaultText, m.FaultMessage, StringComparison.Ordinal);
            Assert.Equal(typeof(PoisonConsumer).FullName, m.Consumer);
            Assert.Contains($"[{Environment.ProcessId}]", m.Host, StringComparison.Ordinal);
            Assert.InRange(m.FaultedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        });
    }

    [Fact]
    public async Task Should_leave_every_message_in_place_and_in_order_when_listing()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);
        var queue = (await deadLetters.GetQueuesAsync(PoisonedQueue.ErrorQueue, CancellationToken.None)).Single();

        var first = await deadLetters.PeekAsync(queue, limit: 100, CancellationToken.None);
        var partial = await deadLetters.PeekAsync(queue, limit: 2, CancellationToken.None);
        var again = await deadLetters.PeekAsync(queue, limit: 100, CancellationToken.None);

        Assert.Equal(2, partial.Messages.Count);
        Assert.Equal(first.Messages.Take(2).Select(m => m.MessageId), partial.Messages.Select(m => m.MessageId));
        Assert.Equal(first.Messages.Select(m => m.MessageId), again.Messages.Select(m => m.MessageId));
        Assert.Equal(Runs.Length, (await deadLetters.GetQueuesAsync(PoisonedQueue.Endpoint, CancellationToken.None)).Single().Depth);
    }

    [Fact]
    public async Task Should_move_back_only_the_messages_of_one_run_and_keep_the_others_in_order()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);
        var queue = (await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single();
        poisoned.Failing = false;

        var result = await deadLetters.RedriveAsync(queue, RunA, CancellationToken.None);

        Assert.Equal(new RedriveResult(PoisonedQueue.ErrorQueue, PoisonedQueue.Endpoint, Moved: 3, Left: 3, Error: null), result);
        await poisoned.WaitForConsumedAsync(3);
        await Task.Delay(300); // nothing else may arrive
        var expectedMoved = poisoned.Published.Where(p => p.Message.RunId == RunA).ToList();
        Assert.Equal(expectedMoved.Select(p => p.Message), poisoned.Consumed.Select(c => c.Message));

        var remaining = await deadLetters.PeekAsync((await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single(), 100, CancellationToken.None);
        Assert.Equal(
            poisoned.Published.Where(p => p.Message.RunId != RunA).Select(p => p.MessageId.ToString()),
            remaining.Messages.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Should_keep_message_id_and_headers_but_drop_the_fault_headers()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(RunC);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);
        poisoned.Failing = false;

        await deadLetters.RedriveAsync((await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single(), runId: null, CancellationToken.None);

        await poisoned.WaitForConsumedAsync(1);
        var consumed = Assert.Single(poisoned.Consumed);
        Assert.Equal(poisoned.Published[0].MessageId, consumed.MessageId);
        Assert.Equal(poisoned.Published[0].Message, consumed.Message);
        Assert.Equal("marker-1", consumed.Marker);
        Assert.DoesNotContain(consumed.HeaderNames, h => h.StartsWith("MT-Fault-", StringComparison.Ordinal) || h == "MT-Reason");
    }

    [Fact]
    public async Task Should_move_back_every_message_in_order()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);
        poisoned.Failing = false;

        var result = await deadLetters.RedriveAsync((await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single(), runId: null, CancellationToken.None);

        Assert.Equal(new RedriveResult(PoisonedQueue.ErrorQueue, PoisonedQueue.Endpoint, Runs.Length, 0, null), result);
        await poisoned.WaitForConsumedAsync(Runs.Length);
        Assert.Equal(poisoned.Published.Select(p => p.Message), poisoned.Consumed.Select(c => c.Message));
        Assert.Equal(0, (await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single().Depth);
    }

    [Fact]
    public async Task Should_not_loop_a_message_that_faults_again_at_once()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        await using var deadLetters = new DeadLetterQueues(poisoned.Broker);

        // The consumer still throws: each moved message comes straight back to the error queue.
        var result = await deadLetters.RedriveAsync((await deadLetters.GetQueuesAsync(null, CancellationToken.None)).Single(), runId: null, CancellationToken.None);

        Assert.Equal(Runs.Length, result.Moved);
        await poisoned.WaitForErrorQueueDepthAsync(Runs.Length);
    }

    [Fact]
    public async Task Should_list_and_redrive_through_the_etl_tool()
    {
        await using var poisoned = await PoisonedQueue.CreateAsync(Runs);
        var environment = poisoned.VirtualHost.EnvironmentVariables;

        var list = await EtlTopology.RunEtlAsync(environment, "dlq", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains($"{PoisonedQueue.ErrorQueue}  6 message(s)  (redrive goes to {PoisonedQueue.Endpoint})", list.StandardOutput, StringComparison.Ordinal);
        var rows = list.StandardOutput.Split('\n').Where(l => l.Contains(PoisonConsumer.FaultText, StringComparison.Ordinal)).ToList();
        Assert.Equal(Runs.Select(r => r.ToString()), rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.All(rows, r => Assert.Contains($"PoisonConsumer @ ", r, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains($"System.InvalidOperationException: {PoisonConsumer.FaultText}", r, StringComparison.Ordinal));

        var json = await EtlTopology.RunEtlAsync(environment, "dlq", "list", "--queue", PoisonedQueue.Endpoint, "--limit", "2", "--json");
        using (var document = JsonDocument.Parse(json.StandardOutput))
        {
            var listing = Assert.Single(document.RootElement.EnumerateArray().ToList());
            Assert.Equal(6, listing.GetProperty("queue").GetProperty("depth").GetInt64());
            Assert.Equal([RunA, RunB], listing.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("runId").GetGuid()));
        }

        poisoned.Failing = false;
        var redrive = await EtlTopology.RunEtlAsync(environment, "dlq", "redrive", "--run", RunB.ToString());
        Assert.True(redrive.ExitCode == 0, redrive.ToString());
        Assert.Contains($"{PoisonedQueue.ErrorQueue} → {PoisonedQueue.Endpoint}: 2 moved, 4 left", redrive.StandardOutput, StringComparison.Ordinal);
        await poisoned.WaitForConsumedAsync(2);
        Assert.All(poisoned.Consumed, c => Assert.Equal(RunB, c.Message.RunId));

        var all = await EtlTopology.RunEtlAsync(environment, "dlq", "redrive");
        Assert.Contains("Redrive: 4 moved, 0 left in 1 error queue(s)", all.StandardOutput, StringComparison.Ordinal);
        await poisoned.WaitForConsumedAsync(6);

        var missing = await EtlTopology.RunEtlAsync(environment, "dlq", "list", "--queue", "no-such-queue");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("There is no queue 'no-such-queue_error'", missing.StandardError, StringComparison.Ordinal);
    }
}
