using System.Net.Sockets;
using MassTransit;
using Npgsql;

namespace SalesEtl.ServiceDefaults;

/// <summary>
/// Which failures are worth retrying: lost connections and timeouts (PostgreSQL restarting, broker
/// hiccups, HTTP timeouts), serialization failures and deadlocks. Anything else — bad data, bad
/// configuration, a bug — fails at once and dead-letters the message, since retrying cannot fix it.
/// A unique violation (23505) counts as transient: our writers replace a run's rows by key, so a
/// duplicate key means another writer of the same rows (e.g. a crashed worker's last transaction
/// committing late) got there first, and the retry's delete-then-insert then succeeds.
/// </summary>
public static class TransientErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PermanentStepException => false,
        PostgresException postgres => postgres.IsTransient || postgres.SqlState is "57P01" or "57P02" or "57P03" or "55P03" or "40001" or "40P01" or "23505",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        TimeoutException or IOException or SocketException or HttpRequestException => true,
        OperationCanceledException => false,
        MassTransitException => exception.InnerException is { } inner ? IsTransient(inner) : true,
        Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } cause && IsTransient(cause),
    };
}
