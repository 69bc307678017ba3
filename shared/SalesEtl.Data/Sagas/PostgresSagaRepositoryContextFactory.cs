using System.Data;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SalesEtl.Data.Sagas;

/// <summary>
/// A MassTransit saga repository over EF Core + Npgsql with pessimistic locking: each message is
/// handled in one READ COMMITTED transaction that first takes <c>SELECT … FOR UPDATE</c> on the saga
/// row, so events of one saga arriving at once are applied one after the other, none lost
/// (optimistic concurrency lost events under fan-in in a probe; serializable gives 40001 errors).
/// MassTransit.EntityFrameworkCore is not available here; this follows its pessimistic strategy on
/// the public saga repository interfaces.
/// </summary>
public sealed class PostgresSagaRepositoryContextFactory<TSaga>(
    IDbContextFactory<EtlDbContext> dbContextFactory,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public void Probe(ProbeContext context) => context.Add("persistence", "postgresql-pessimistic");

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var dbContext = await dbContextFactory.CreateDbContextAsync(context.CancellationToken);
        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);

        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, context, consumeContextFactory);
        await next.Send(repositoryContext);

        await transaction.CommitAsync(context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var dbContext = await dbContextFactory.CreateDbContextAsync(context.CancellationToken);
        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);

        var instances = await SagaRowLock.LockMatching(dbContext, query.FilterExpression, context.CancellationToken);
        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, context, consumeContextFactory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));

        await transaction.CommitAsync(context.CancellationToken);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => ExecuteWithContext(asyncMethod, cancellationToken);

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => ExecuteWithContext(asyncMethod, cancellationToken);

    async Task<T> ExecuteWithContext<T>(Func<PostgresSagaQueryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken)
    {
        await using var dbContext = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var result = await asyncMethod(new PostgresSagaQueryContext<TSaga>(dbContext, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
