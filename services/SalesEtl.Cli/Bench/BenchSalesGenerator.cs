using System.Globalization;
using System.Text;

namespace SalesEtl.Cli.Bench;

/// <summary>
/// Writes a sales file of a given size and the product catalog it refers to, streaming, so that memory does
/// not grow with the row count. The bench depends on this interface only: swapping the generator (for the
/// shared sample-data generator of <c>etl generate</c>) is a change of one line in <see cref="BenchCommand"/>.
/// </summary>
public interface ISalesFileGenerator
{
    /// <summary>The as-of time the file's dates are relative to (a run uses it, so no row is "future" by accident).</summary>
    DateTimeOffset AsOf { get; }

    Task WriteAsync(string salesPath, string productsPath, long rows, CancellationToken cancellationToken);
}

/// <summary>
/// A realistic, messy sales file for the bench: every SPEC §1 rule fires on a small share of rows (about 2 %
/// rejected, 1 % exact duplicates, 0.3 % conflicts, unknown products and channels, imputed and sign-corrected
/// prices, outliers, eight date formats, quoted commas and line breaks), so the measured time includes what the
/// rules cost. Every record keeps the header's field count and RFC 4180 quoting that PostgreSQL's CSV COPY also
/// reads, so the same file can be loaded by <c>psql \copy</c> for the baseline; its malformed records are the
/// kind COPY accepts and the SPEC does not (text after a closing quote). Deterministic for a seed.
/// </summary>
public sealed class BenchSalesGenerator(int seed = 20261125) : ISalesFileGenerator
{
    const int Products = 500;

    static readonly string[] Channels =
        ["online", "Web", "website", "e-commerce", "store", "In-Store", "retail", "POS", "mobile", "App", "ios", "android",
         "marketplace", "Amazon", "ebay", "phone", "Call Center", "  online  ", "mobile_app"];

    static readonly string[] UnknownChannels = ["", "fax", "kiosk", "N/A"];

    static readonly string[] Categories = ["electronics", "home & garden", "toys", "sports", "books", "clothing", "office supplies", "kitchen"];

    static readonly string[] Manufacturers = ["Acme Corp", "Globex", "Initech", "Umbrella", "Stark, Inc.", "Wayne Enterprises", "Soylent"];

    static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public DateTimeOffset AsOf { get; } = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public async Task WriteAsync(string salesPath, string productsPath, long rows, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var basePrices = new decimal[Products];
        for (var i = 0; i < Products; i++)
            basePrices[i] = Math.Round((decimal)(1 + (random.NextDouble() * 499)), 2);
        await WriteProductsAsync(productsPath, basePrices, cancellationToken);

        await using var file = new FileStream(salesPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.SequentialScan);
        await using var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16);
        writer.NewLine = "\n";
        await writer.WriteLineAsync("transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel,notes".AsMemory(), cancellationToken);

        var line = new StringBuilder(256);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var span = (AsOf.UtcDateTime - start).TotalSeconds;
        string? previous = null;
        for (long row = 1; row <= rows; row++)
        {
            if ((row & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();

            // About 1 % exact duplicates: the previous record again, byte for byte.
            if (previous is not null && random.Next(100) == 0)
            {
                await writer.WriteLineAsync(previous.AsMemory(), cancellationToken);
                continue;
            }

            line.Clear();
            var roll = random.Next(1000);
            var id = roll < 3 && row > 10 ? row - 1 - random.Next(5) : row; // 0.3 %: an earlier id with other content
            line.Append('T').Append(id.ToString(CultureInfo.InvariantCulture)).Append(',');

            if (random.Next(20) != 0)
                line.Append('C').Append(random.Next(1, (int)Math.Clamp(rows / 5, 10, 2_000_000)).ToString(CultureInfo.InvariantCulture));
            line.Append(',');

            var unknownProduct = random.Next(100) == 0;
            var product = random.Next(Products);
            if (roll == 10)
            {
                // missing_product_id
            }
            else if (unknownProduct)
            {
                line.Append('P').Append((9000 + random.Next(50)).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                var code = $"P{product + 1:D4}";
                line.Append(random.Next(10) switch { 0 => code.ToLowerInvariant(), 1 => " " + code + " ", _ => code });
            }
            line.Append(',');

            var instant = start.AddSeconds(random.NextDouble() * span);
            if (roll == 11)
                line.Append("2026-13-45");
            else if (roll == 12)
                line.Append(AsOf.UtcDateTime.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            else
                AppendDate(line, instant, random.Next(100));
            line.Append(',');

            var quantity = random.Next(20) == 0 ? -random.Next(1, 3) : random.Next(1, 6);
            if (roll == 13)
                line.Append("two");
            else if (roll == 14)
                line.Append('0');
            else if (roll == 15)
                line.Append("1.5");
            else
                line.Append(quantity.ToString(CultureInfo.InvariantCulture)).Append(random.Next(50) == 0 ? ".0" : "");
            line.Append(',');

            var factor = random.Next(100) == 0 ? 3.0 : 0.9 + (random.NextDouble() * 0.2); // 1 % outliers
            var price = Math.Round(Math.Abs(quantity) * basePrices[product] * (decimal)factor, 2);
            if (quantity < 0 && random.Next(2) == 0)
                price = -price; // else sign-corrected
            var priceStyle = random.Next(100);
            if (roll == 16)
                line.Append("abc");
            else if (roll == 17 && unknownProduct)
                line.Append(""); // missing_total_price
            else if (priceStyle < 2 && !unknownProduct)
                line.Append(""); // imputed
            else if (priceStyle < 6)
                line.Append('"').Append(price < 0 ? "(" : "").Append('$').Append(Math.Abs(price).ToString("#,##0.00", CultureInfo.InvariantCulture)).Append(price < 0 ? ")" : "").Append('"');
            else
                line.Append(price.ToString("0.00", CultureInfo.InvariantCulture));
            line.Append(',');

            line.Append(random.Next(50) == 0 ? UnknownChannels[random.Next(UnknownChannels.Length)] : Channels[random.Next(Channels.Length)]);
            line.Append(',');

            var note = random.Next(1000);
            if (note < 30)
                line.Append("\"gift, wrapped\"");
            else if (note < 35)
                line.Append("\"two-line\nnote\"");
            else if (note < 37)
                line.Append("\"quoted\"trailing"); // malformed_row: text after a closing quote

            var text = line.ToString();
            previous = text;
            await writer.WriteLineAsync(text.AsMemory(), cancellationToken);
        }
    }

    static void AppendDate(StringBuilder line, DateTime instant, int style)
    {
        var c = CultureInfo.InvariantCulture;
        line.Append(style switch
        {
            < 50 => instant.ToString("yyyy-MM-dd HH:mm:ss", c),
            < 65 => instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", c),
            < 75 => instant.ToString("yyyy-MM-dd", c),
            < 82 => instant.ToString("MM/dd/yyyy", c),
            < 87 => $"{instant.Day:D2} {Months[instant.Month - 1]} {instant.Year}",
            < 90 => $"\"{Months[instant.Month - 1]} {instant.Day:D2}, {instant.Year}\"",
            < 95 => ((long)(instant - DateTime.UnixEpoch).TotalSeconds).ToString(c),
            < 98 => instant.ToString("yyyy/MM/dd", c),
            _ => instant.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+02:00'", c),
        });
    }

    static async Task WriteProductsAsync(string path, decimal[] basePrices, CancellationToken cancellationToken)
    {
        var json = new StringBuilder("{\"items\":[");
        for (var i = 0; i < basePrices.Length; i++)
        {
            if (i > 0)
                json.Append(',');
            json.Append(CultureInfo.InvariantCulture,
                $"{{\"product_id\":\"P{i + 1:D4}\",\"product_name\":\"Product {i + 1}\",\"category\":\"{Categories[i % Categories.Length]}\",\"manufacturer\":\"{Manufacturers[i % Manufacturers.Length]}\",\"base_price\":{basePrices[i].ToString("0.00", CultureInfo.InvariantCulture)},\"stock_quantity\":{(i * 37) % 1000}}}");
        }
        json.Append("]}");
        await File.WriteAllTextAsync(path, json.ToString(), cancellationToken);
    }
}
