using System.Collections.Concurrent;
using MassTransit;

namespace SalesEtl.IntegrationTests.Saga;

/// <summary>Records every message a test consumer received, by type.</summary>
public sealed class MessageRecorder
{
    readonly ConcurrentQueue<object> messages = new();

    public void Add(object message) => messages.Enqueue(message);

    public IReadOnlyList<T> Of<T>() => messages.OfType<T>().ToList();
}

public sealed class RecordingConsumer<T>(MessageRecorder recorder) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        recorder.Add(context.Message);
        return Task.CompletedTask;
    }
}
