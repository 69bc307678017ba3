using SalesEtl.Pipeline.Text;

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
    private const char ByteOrderMark = '\uFEFF';

    /// <summary>
    /// Matches header names ASCII-case-insensitively after trimming ASCII whitespace (and a byte order mark before the
    /// first name); column order is free, extra columns are ignored. When a required name appears more than once,
    /// the first column wins and the later ones are listed in <see cref="ExtraColumns"/> like any other extra column.
    /// </summary>
    public static HeaderResolution Resolve(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        Span<int> positions = stackalloc int[7];
        positions.Fill(-1);
        var extra = new List<string>();
        var trimmed = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].AsSpan();
            if (i == 0 && name.Length > 0 && name[0] == ByteOrderMark)
                name = name[1..];
            name = AsciiText.Trim(name);
            trimmed[i] = name.ToString();
            var column = RequiredIndex(name);
            if (column >= 0 && positions[column] < 0)
                positions[column] = i;
            else
                extra.Add(name.ToString());
        }

        List<string>? missing = null;
        for (var column = 0; column < positions.Length; column++)
        {
            if (positions[column] < 0)
                (missing ??= []).Add(SalesColumns.Required[column]);
        }
        if (missing is not null)
            return new HeaderResolution(null, missing) { Names = trimmed };

        var header = new SalesHeader(
            positions[0], positions[1], positions[2], positions[3], positions[4], positions[5], positions[6],
            names.Count, extra);
        return new HeaderResolution(header, []) { Names = trimmed };
    }

    /// <summary>The seven required columns stand in SPEC order (whatever extra columns lie between them).</summary>
    public bool RequiredInSpecOrder =>
        TransactionId < CustomerId && CustomerId < ProductId && ProductId < SaleDate && SaleDate < Quantity
        && Quantity < TotalPrice && TotalPrice < SalesChannel;

    private static int RequiredIndex(ReadOnlySpan<char> name)
    {
        var required = SalesColumns.Required;
        for (var column = 0; column < required.Count; column++)
        {
            // ASCII case only: the names are ASCII, and "transactıon_id" (dotless i) is not one of them.
            if (System.Text.Ascii.EqualsIgnoreCase(name, required[column]))
                return column;
        }
        return -1;
    }
}

/// <summary>Either a usable header or the required columns it lacks (in SPEC order).</summary>
public sealed record HeaderResolution(SalesHeader? Header, IReadOnlyList<string> MissingColumns)
{
    /// <summary>Every header name as written, ASCII-trimmed (a BOM before the first removed), in file order: for schema drift.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>The file cannot be read as a sales file at all (for example it has no header row).</summary>
public sealed class SalesFileException : Exception
{
    public SalesFileException(string message)
        : base(message)
    {
    }

    public SalesFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
