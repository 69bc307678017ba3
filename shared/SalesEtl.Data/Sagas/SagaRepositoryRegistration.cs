using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SalesEtl.Data.Sagas;

public static class SagaRepositoryRegistration
{
    /// <summary>Persists the saga in PostgreSQL through <see cref="EtlDbContext"/> with row locks (see <see cref="PostgresSagaRepositoryContextFactory{TSaga}"/>).</summary>
    public static void UsePostgres<TSaga>(this ISagaRepositoryRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        configurator.RegisterLoadSagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga>>();
        configurator.RegisterQuerySagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga>>();
        configurator.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, PostgresSagaRepositoryContextFactory<TSaga>>();
    }
}
