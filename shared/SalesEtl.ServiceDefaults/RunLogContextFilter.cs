using MassTransit;
using SalesEtl.Contracts;
using SerilogLogContext = Serilog.Context.LogContext;

namespace SalesEtl.ServiceDefaults;

/// <summary>Puts the message's <c>RunId</c> (and <c>ChunkNo</c>) on every log line written while it is consumed.</summary>
public sealed class RunLogContextFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (context.Message is not IRunMessage runMessage)
        {
            await next.Send(context);
            return;
        }

        using var runId = SerilogLogContext.PushProperty("RunId", runMessage.RunId);
        using var chunkNo = runMessage is IChunkMessage chunk ? SerilogLogContext.PushProperty("ChunkNo", chunk.ChunkNo) : null;
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("runLogContext");
}
