using System.Linq.Expressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace SalesEtl.Data.Sagas;

/// <summary>Loads saga rows with <c>FOR UPDATE</c>, so the row stays locked until the message's transaction ends.</summary>
static class SagaRowLock
{
    public static Task<TSaga?> Lock<TSaga>(DbContext dbContext, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        var (table, key) = TableOf<TSaga>(dbContext);
#pragma warning disable EF1002 // table and key names come from the EF model, the id is a parameter
        return dbContext.Set<TSaga>()
            .FromSqlRaw($"SELECT * FROM \"{table}\" WHERE \"{key}\" = {{0}} FOR UPDATE", correlationId)
            .AsTracking()
            .SingleOrDefaultAsync(cancellationToken);
#pragma warning restore EF1002
    }

    public static async Task<IList<TSaga>> LockMatching<TSaga>(DbContext dbContext, Expression<Func<TSaga, bool>> filter, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        var ids = await dbContext.Set<TSaga>().AsNoTracking().Where(filter).Select(s => s.CorrelationId).OrderBy(id => id).ToListAsync(cancellationToken);
        var locked = new List<TSaga>(ids.Count);
        foreach (var id in ids)
        {
            // Locks are taken in id order so that two queries over overlapping sets cannot deadlock.
            if (await Lock<TSaga>(dbContext, id, cancellationToken) is { } instance)
                locked.Add(instance);
        }
        return locked;
    }

    static (string Table, string Key) TableOf<TSaga>(DbContext dbContext)
        where TSaga : class
    {
        var entity = dbContext.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not part of the EF model.");
        var table = entity.GetTableName()!;
        var storeObject = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single().GetColumnName(storeObject)!;
        return (table, key);
    }
}
