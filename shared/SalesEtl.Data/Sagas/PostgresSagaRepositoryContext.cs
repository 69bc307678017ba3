using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SalesEtl.Data.Sagas;

/// <summary>One message's view of the saga repository: loads lock the row, writes go through the message's transaction.</summary>
sealed class PostgresSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly DbContext dbContext;
    readonly ConsumeContext<TMessage> consumeContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> factory;

    public PostgresSagaRepositoryContext(DbContext dbContext, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory)
        : base(consumeContext, dbContext)
    {
        this.dbContext = dbContext;
        this.consumeContext = consumeContext;
        this.factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance, SagaConsumeContextMode mode)
        where T : class => factory.CreateSagaConsumeContext(dbContext, context, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(dbContext, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // A failed INSERT aborts a PostgreSQL transaction, so try it under a savepoint: a duplicate
        // means another message created the saga first, and the caller then loads it instead.
        var transaction = dbContext.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync("saga_insert", CancellationToken);
        var entry = await dbContext.Set<TSaga>().AddAsync(instance, CancellationToken);
        try
        {
            await dbContext.SaveChangesAsync(CancellationToken);
            await transaction.ReleaseSavepointAsync("saga_insert", CancellationToken);
            return await factory.CreateSagaConsumeContext(dbContext, consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            entry.State = EntityState.Detached;
            await transaction.RollbackToSavepointAsync("saga_insert", CancellationToken);
            return default!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await SagaRowLock.Lock<TSaga>(dbContext, correlationId, CancellationToken);
        return instance is null
            ? default!
            : await factory.CreateSagaConsumeContext(dbContext, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        await dbContext.Set<TSaga>().AddAsync(context.Saga, CancellationToken);
        await dbContext.SaveChangesAsync(CancellationToken);
    }

    public Task Update(SagaConsumeContext<TSaga> context) => dbContext.SaveChangesAsync(CancellationToken);

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        dbContext.Set<TSaga>().Remove(context.Saga);
        await dbContext.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = dbContext.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
            entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }
}

/// <summary>Read access for MassTransit's load and query APIs (no message in flight).</summary>
sealed class PostgresSagaQueryContext<TSaga>(DbContext dbContext, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    LoadSagaRepositoryContext<TSaga>,
    QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId) => (await SagaRowLock.Lock<TSaga>(dbContext, correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var instances = await SagaRowLock.LockMatching(dbContext, query.FilterExpression, cancellationToken);
        return new LoadedSagaRepositoryQueryContext<TSaga>(this, instances);
    }
}
