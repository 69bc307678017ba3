using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Streaming;

namespace SalesEtl.StreamSimulator;

/// <summary>What the simulator is doing (<c>GET /stream/status</c>).</summary>
public sealed record StreamStatus(string State, double Rate, double Seconds, int? Seed, long Published, long Late, long Duplicates,
    double ElapsedSeconds, double AchievedRate, string? Error);

/// <summary>
/// Runs one stream at a time: the events of a <see cref="SaleEventPlan"/>, paced by a <see cref="StreamPacer"/>,
/// each tick's events published concurrently (RabbitMQ confirms each). The achieved rate is published / elapsed.
/// </summary>
public sealed class SaleStreamRunner(IBus bus, IOptions<SimulatorOptions> defaults, ILogger<SaleStreamRunner> logger)
{
    readonly Lock gate = new();
    CancellationTokenSource? running;
    Task? task;
    SimulatorOptions current = defaults.Value;
    long published, late, duplicates;
    Stopwatch clock = new();
    string state = "idle";
    string? error;

    public StreamStatus Status
    {
        get
        {
            lock (gate)
            {
                var elapsed = clock.Elapsed.TotalSeconds;
                var count = Interlocked.Read(ref published);
                return new StreamStatus(state, current.Rate, current.Seconds, current.Seed, count, Interlocked.Read(ref late), Interlocked.Read(ref duplicates),
                    elapsed, elapsed > 0 ? count / elapsed : 0, error);
            }
        }
    }

    /// <summary>Starts a stream unless one is running; returns false when one is.</summary>
    public bool Start(double? rate, double? seconds, int? events, int? seed)
    {
        lock (gate)
        {
            if (task is { IsCompleted: false })
                return false;
            var d = defaults.Value;
            current = new SimulatorOptions
            {
                Rate = rate ?? d.Rate, Seconds = seconds ?? d.Seconds, Events = events ?? d.Events, Seed = seed ?? d.Seed ?? Random.Shared.Next(),
                AsOf = d.AsOf, LateRate = d.LateRate, DuplicateRate = d.DuplicateRate, MaxDelaySeconds = d.MaxDelaySeconds,
                BurstSeconds = d.BurstSeconds, BurstEverySeconds = d.BurstEverySeconds, BurstEvents = d.BurstEvents,
            };
            published = late = duplicates = 0;
            error = null;
            state = "running";
            clock = Stopwatch.StartNew();
            running = new CancellationTokenSource();
            var settings = current;
            var token = running.Token;
            task = Task.Run(() => RunAsync(settings, token), CancellationToken.None);
            return true;
        }
    }

    public void Stop()
    {
        lock (gate)
            running?.Cancel();
    }

    async Task RunAsync(SimulatorOptions settings, CancellationToken cancellationToken)
    {
        var events = settings.Events > 0 ? settings.Events : (int)Math.Min(int.MaxValue, Math.Ceiling(settings.Rate * settings.Seconds));
        var plan = new SaleEventPlan(new SaleEventPlanOptions
        {
            Events = events, Seed = settings.Seed!.Value, AsOf = settings.AsOf ?? DateTimeOffset.UtcNow,
            LateRate = settings.LateRate, DuplicateRate = settings.DuplicateRate,
            MaxDelayEvents = Math.Max(1, (int)(settings.MaxDelaySeconds * settings.Rate)),
        });
        logger.LogInformation("Stream starting: {Events} events at {Rate}/s for at most {Seconds} s, seed {Seed}", events, settings.Rate, settings.Seconds, settings.Seed);
        var pacer = new StreamPacer(settings.Rate, settings.Rate * settings.BurstSeconds, TimeSpan.FromSeconds(settings.BurstEverySeconds), settings.BurstEvents);
        // Publishes are not awaited one by one: up to MaxInFlight wait for their broker confirm at once, so the
        // confirm latency does not cap the rate.
        const int MaxInFlight = 4096;
        var inFlight = new List<Task>(MaxInFlight);
        try
        {
            using var emissions = plan.Emissions().GetEnumerator();
            // Generating the data takes a moment: the stream (and its rate) starts with the first event ready.
            var more = emissions.MoveNext();
            var primed = more;
            lock (gate)
                clock = Stopwatch.StartNew();
            var start = Stopwatch.StartNew();
            while (more && start.Elapsed.TotalSeconds < settings.Seconds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await HarvestAsync(inFlight, all: inFlight.Count >= MaxInFlight);
                var take = pacer.Take(start.Elapsed, MaxInFlight - inFlight.Count);
                if (take == 0)
                {
                    await Task.Delay(pacer.UntilNext < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : pacer.UntilNext, cancellationToken);
                    continue;
                }
                for (var i = 0; i < take && (primed || (more = emissions.MoveNext())); i++)
                {
                    primed = false;
                    var planned = emissions.Current;
                    inFlight.Add(bus.Publish(planned.Event with { EmittedAt = DateTimeOffset.UtcNow }, cancellationToken));
                    if (planned.Late)
                        Interlocked.Increment(ref late);
                    if (planned.Duplicate)
                        Interlocked.Increment(ref duplicates);
                }
            }
            await HarvestAsync(inFlight, all: true);
            Finish("finished", null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Finish("stopped", null);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Stream failed");
            Finish("failed", exception.Message);
        }
    }

    /// <summary>Counts the publishes the broker confirmed (all of them, waiting, when asked); a failed one ends the stream.</summary>
    async Task HarvestAsync(List<Task> inFlight, bool all)
    {
        if (all)
            await Task.WhenAll(inFlight);
        var kept = 0;
        for (var i = 0; i < inFlight.Count; i++)
        {
            if (inFlight[i].IsCompleted)
                await inFlight[i];
            else
                inFlight[kept++] = inFlight[i];
        }
        var done = inFlight.Count - kept;
        inFlight.RemoveRange(kept, done);
        Interlocked.Add(ref published, done);
    }

    void Finish(string finalState, string? reason)
    {
        lock (gate)
        {
            clock.Stop();
            state = finalState;
            error = reason;
        }
        var status = Status;
        logger.LogInformation("Stream {State}: {Published} events in {Elapsed:0.00} s = {Rate:0} events/s ({Late} late, {Duplicates} duplicates)",
            status.State, status.Published, status.ElapsedSeconds, status.AchievedRate, status.Late, status.Duplicates);
    }
}

/// <summary>Starts a stream by message (<see cref="StartSaleStream"/>, queue <c>start-sale-stream</c>); no <c>etl</c> command sends it yet.</summary>
public sealed class StartSaleStreamConsumer(SaleStreamRunner runner, ILogger<StartSaleStreamConsumer> logger) : IConsumer<StartSaleStream>
{
    public Task Consume(ConsumeContext<StartSaleStream> context)
    {
        if (!runner.Start(context.Message.Rate, context.Message.Seconds, null, context.Message.Seed))
            logger.LogWarning("A stream is running already: the request is ignored");
        return Task.CompletedTask;
    }
}

/// <summary>Starts the configured stream at start-up when <c>Simulator:AutoStart</c> is set (the command line sets it).</summary>
public sealed class AutoStartService(SaleStreamRunner runner, IOptions<SimulatorOptions> options, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AutoStart)
            lifetime.ApplicationStarted.Register(() => runner.Start(null, null, null, null));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        runner.Stop();
        return Task.CompletedTask;
    }
}
