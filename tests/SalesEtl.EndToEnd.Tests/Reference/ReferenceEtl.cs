namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>
/// An independent, single-threaded implementation of SPEC §1–§4 and the §6 export, used to check the
/// distributed pipeline end to end. Plain LINQ over the whole parsed file: clarity over speed.
/// </summary>
public static class ReferenceEtl
{
    public const decimal DefaultPriceOutlierThreshold = 0.5m;

    private static readonly string[] RequiredColumns =
        ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"];

    public static ReferenceResult Run(
        string salesCsvPath,
        string productsJsonPath,
        DateTimeOffset asOf,
        decimal priceOutlierThreshold = DefaultPriceOutlierThreshold)
    {
        var products = ReferenceProducts.Load(productsJsonPath);
        var records = ReferenceCsvReader.Parse(ReferenceCsvReader.ReadAllText(salesCsvPath)).ToList();
        var (accepted, rejects, duplicates) = ApplyRules(records, products, asOf, priceOutlierThreshold);
        return ReferenceMetrics.Compute(asOf, products, records.Count - 1, accepted, rejects, duplicates);
    }

    public static void WriteExport(ReferenceResult result, string outDir) => ReferenceExport.Write(result, outDir);

    private static (List<AcceptedSale> Accepted, List<RejectedRow> Rejects, List<DuplicateRow> Duplicates) ApplyRules(
        List<CsvRecord> records,
        ProductLoadResult products,
        DateTimeOffset asOf,
        decimal threshold)
    {
        if (records.Count == 0)
            throw new UnreadableSalesFileException("The sales file has no header row: it is empty or has only blank lines.");
        if (records[0].Fields is null)
            throw new UnreadableSalesFileException("The sales file's header row is malformed (bad quoting).");

        var columns = ColumnIndexes(records[0].Fields!);
        var headerWidth = records[0].Fields!.Count;
        var latest = asOf.UtcDateTime.AddDays(1);

        var accepted = new List<AcceptedSale>();
        var rejects = new List<RejectedRow>();
        var duplicates = new List<DuplicateRow>();
        // Every row that passed rules 1–9, by transaction id, in file order (accepted, conflicts and duplicates).
        var seen = new Dictionary<string, List<AcceptedSale>>(StringComparer.Ordinal);

        foreach (var record in records.Skip(1))
        {
            var outcome = Normalize(record, headerWidth, columns, products, latest, threshold);
            if (outcome.Reason is not null)
            {
                rejects.Add(new RejectedRow(record.SourceLine, outcome.Reason, record.RawText));
                continue;
            }

            var sale = outcome.Sale!;
            if (!seen.TryGetValue(sale.TransactionId, out var earlier))
            {
                seen[sale.TransactionId] = [sale];
                accepted.Add(sale);
                continue;
            }

            var same = earlier.FirstOrDefault(e => SameContent(e, sale));
            if (same is not null)
                duplicates.Add(new DuplicateRow(sale.SourceLine, same.SourceLine, sale.TransactionId));
            else
                rejects.Add(new RejectedRow(record.SourceLine, RejectReasons.DuplicateConflict, record.RawText));
            earlier.Add(sale);
        }

        return (accepted, rejects, duplicates);
    }

    private static Dictionary<string, int> ColumnIndexes(IReadOnlyList<string> header)
    {
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            // The first of two columns with the same name wins. A second BOM (after the one decoding drops) is not part of the name.
            var name = i == 0 && header[i].StartsWith('\uFEFF') ? header[i][1..] : header[i];
            indexes.TryAdd(AsciiLower(ReferenceValues.TrimAscii(name)), i);
        }

        var missing = RequiredColumns.Where(c => !indexes.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new MissingColumnsException(missing);
        return indexes;
    }

    /// <summary>Header names compare by ASCII case only: the SPEC's names are ASCII.</summary>
    private static string AsciiLower(string name) =>
        string.Concat(name.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c));

    /// <summary>Rules 1–9 and normalization of one record: a sale, or the first failing reason.</summary>
    private static (AcceptedSale? Sale, string? Reason) Normalize(
        CsvRecord record,
        int headerWidth,
        Dictionary<string, int> columns,
        ProductLoadResult products,
        DateTime latest,
        decimal threshold)
    {
        // Rule 1
        if (record.Fields is null || record.Fields.Count != headerWidth)
            return (null, RejectReasons.MalformedRow);
        string Field(string name) => record.Fields[columns[name]];

        // Rule 2
        var transactionId = ReferenceValues.TrimAscii(Field("transaction_id"));
        if (transactionId.Length == 0)
            return (null, RejectReasons.MissingTransactionId);

        // Rule 3
        var productId = ReferenceValues.TrimAscii(Field("product_id")).ToUpperInvariant();
        if (productId.Length == 0)
            return (null, RejectReasons.MissingProductId);

        // Rules 4 and 5
        var saleDate = ReferenceValues.ParseSaleDate(Field("sale_date"));
        if (saleDate is null)
            return (null, RejectReasons.InvalidSaleDate);
        if (saleDate.Value > latest)
            return (null, RejectReasons.FutureSaleDate);

        // Rules 6 and 7
        var quantity = ReferenceValues.ParseQuantity(Field("quantity"));
        if (quantity is null)
            return (null, RejectReasons.InvalidQuantity);
        if (quantity == 0)
            return (null, RejectReasons.ZeroQuantity);

        // Rules 8 and 9
        products.Products.TryGetValue(productId, out var product);
        var flags = SaleFlags.None;
        var priceText = ReferenceValues.TrimAscii(Field("total_price"));
        decimal price;
        if (priceText.Length == 0)
        {
            if (product is null)
                return (null, RejectReasons.MissingTotalPrice);
            price = ReferenceValues.RoundMoney(quantity.Value * product.BasePrice);
            // An imputed price must fit numeric(18,2) like a written one.
            if (Math.Abs(price) >= ReferenceValues.MoneyLimit)
                return (null, RejectReasons.InvalidTotalPrice);
            flags |= SaleFlags.PriceImputed;
        }
        else
        {
            if (!ReferenceValues.TryParsePrice(priceText, out price))
                return (null, RejectReasons.InvalidTotalPrice);
            if ((quantity > 0 && price < 0) || (quantity < 0 && price > 0))
            {
                price = -price;
                flags |= SaleFlags.SignCorrected;
            }
        }

        var customer = ReferenceValues.TrimAscii(Field("customer_id"));
        var channel = ReferenceValues.CanonicalChannel(Field("sales_channel"));
        if (channel is null)
        {
            channel = Channels.Unknown;
            flags |= SaleFlags.UnknownChannel;
        }

        if (product is null)
            flags |= SaleFlags.UnknownProduct;
        else if (IsPriceOutlier(price, quantity.Value, product.BasePrice, threshold))
            flags |= SaleFlags.PriceOutlier;

        var sale = new AcceptedSale(
            record.SourceLine,
            transactionId,
            customer.Length == 0 ? null : customer,
            productId,
            saleDate.Value,
            quantity.Value,
            price,
            channel,
            flags);
        return (sale, null);
    }

    /// <summary>
    /// | |price| / |quantity| − base | / base &gt; threshold, multiplied out by base·|quantity| (both &gt; 0)
    /// so that the comparison is exact: | |price| − |quantity|·base | &gt; threshold·base·|quantity|.
    /// </summary>
    public static bool IsPriceOutlier(decimal price, int quantity, decimal basePrice, decimal threshold)
    {
        if (basePrice == 0)
            return false;
        decimal units = Math.Abs(quantity);
        return Math.Abs(Math.Abs(price) - units * basePrice) > threshold * basePrice * units;
    }

    /// <summary>The SPEC §1 normalized content; the source line and flags are not content.</summary>
    private static bool SameContent(AcceptedSale a, AcceptedSale b) =>
        a.TransactionId == b.TransactionId
        && a.CustomerId == b.CustomerId
        && a.ProductId == b.ProductId
        && a.SaleDate == b.SaleDate
        && a.Quantity == b.Quantity
        && a.TotalPrice == b.TotalPrice
        && a.Channel == b.Channel;
}
