namespace SalesEtl.Pipeline.Sales;

/// <summary>Names of the sales CSV columns (SPEC §1).</summary>
public static class SalesColumns
{
    public const string TransactionId = "transaction_id";
    public const string CustomerId = "customer_id";
    public const string ProductId = "product_id";
    public const string SaleDate = "sale_date";
    public const string Quantity = "quantity";
    public const string TotalPrice = "total_price";
    public const string SalesChannel = "sales_channel";

    public static IReadOnlyList<string> Required { get; } =
        [TransactionId, CustomerId, ProductId, SaleDate, Quantity, TotalPrice, SalesChannel];
}

/// <summary>Where each required column sits in the file's records.</summary>
public sealed record SalesHeader(
    int TransactionId, int CustomerId, int ProductId, int SaleDate, int Quantity, int TotalPrice, int SalesChannel,
    int FieldCount, IReadOnlyList<string> ExtraColumns)
{
    /// <summary>Matches header names case-insensitively after trimming; column order is free, extra columns are ignored.</summary>
    public static HeaderResolution Resolve(IReadOnlyList<string> names) => throw new NotImplementedException();
}

/// <summary>Either a usable header or the required columns it lacks (in SPEC order).</summary>
public sealed record HeaderResolution(SalesHeader? Header, IReadOnlyList<string> MissingColumns);

/// <summary>The file cannot be read as a sales file at all (for example it has no header row).</summary>
public sealed class SalesFileException(string message) : Exception(message);
