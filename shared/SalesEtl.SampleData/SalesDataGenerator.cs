using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SalesEtl.SampleData;

/// <summary>What <see cref="SalesDataGenerator"/> writes. Equal options give byte-identical files.</summary>
public sealed record SampleDataOptions
{
    /// <summary>Data records in the sales file (rows_read); blank lines and the header are not rows.</summary>
    public int Rows { get; init; } = 1000;

    public int Seed { get; init; } = 20261125;

    public bool Bom { get; init; }

    public bool Crlf { get; init; }

    public bool ShuffleColumns { get; init; }

    /// <summary>Add columns the SPEC does not know (beyond the usual <c>notes</c>): schema drift that must be ignored and reported.</summary>
    public bool ExtraColumns { get; init; }

    /// <summary>Write the products as a bare JSON array instead of <c>{"items":[...]}</c>.</summary>
    public bool ProductsAsBareArray { get; init; }

    public DateTimeOffset AsOf { get; init; } = SalesDataGenerator.DefaultAsOf;
}

/// <summary>Both generated files as text (for small files; large ones go through <see cref="SalesDataGenerator.WriteTo"/>).</summary>
public sealed record GeneratedSampleData(string SalesCsv, string ProductsJson);

/// <summary>
/// Writes a realistic, messy sales CSV and products JSON (README.md beside this file says what they contain).
/// Deterministic: a <see cref="Random"/> with the options' seed drives everything, so equal options give equal
/// bytes. Streams: rows are made and written in blocks of <see cref="BlockRows"/>, each holding every planted
/// case at the file's rates, so memory does not grow with the number of rows.
/// </summary>
public sealed class SalesDataGenerator(SampleDataOptions options)
{
    /// <summary>Rows per block; a file of up to <see cref="BlockRows"/> + <see cref="MinimumRows"/> rows is one block.</summary>
    public const int BlockRows = 5000;

    public static readonly DateTimeOffset DefaultAsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public const int MinimumRows = 200;

    private static readonly string[] BaseColumns =
        ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel", "notes"];

    // How the header spells the columns: matched case-insensitively after trimming.
    private static readonly string[] BaseHeaderSpelling =
        ["Transaction_ID", "customer_id", " Product_Id ", "SALE_DATE", "Quantity", "total_price", "Sales_Channel", "notes"];

    /// <summary>The columns that <see cref="SampleDataOptions.ExtraColumns"/> adds, with the values they take.</summary>
    public static IReadOnlyList<string> DriftColumns { get; } = ["store_region", "coupon_code"];

    private static readonly string[][] DriftValues =
        [["north", "south", "east", "west", "", "Central, HQ"], ["", "", "", "SPRING10", "WELCOME", "\"VIP\""]];

    private static readonly string[] Categories =
        ["Electronics", "Home & Garden", "Toys", "Sports", "Books", "Clothing", "Office Supplies", "Kitchen"];

    private static readonly string[] Manufacturers =
        ["Acme Corp", "Globex", "Initech", "Umbrella", "Stark, Inc.", "Wayne Enterprises", "Soylent"];

    private static readonly string[] Nouns =
        ["Lamp", "Kettle", "Drone", "Puzzle", "Racket", "Novel", "Jacket", "Stapler", "Blender", "Speaker",
         "Tent", "Robot", "Notebook", "Skillet", "Helmet", "Sweater", "Monitor", "Planter", "Yo-yo", "Mixer"];

    private static readonly string[] Adjectives = ["Deluxe", "Mini", "Pro", "Classic", "Smart", "Eco", "Ultra", "Basic"];

    private static readonly (string Channel, int Weight, string[] Aliases)[] ChannelAliases =
    [
        ("online", 40, ["online", "web", "website", "ecommerce", "e-commerce", "internet"]),
        ("store", 25, ["store", "in-store", "instore", "retail", "pos", "shop", "brick and mortar"]),
        ("mobile", 20, ["mobile", "app", "mobile app", "ios", "android"]),
        ("marketplace", 10, ["marketplace", "amazon", "ebay", "etsy"]),
        ("phone", 5, ["phone", "telephone", "call center", "call centre"]),
    ];

    private static readonly string[] UnknownChannels = ["", "fax", "Carrier Pigeon", "kiosk", "unknown", "N/A", "  "];

    private static readonly string[] UnknownProducts = ["P999", "P404", "X-100", "NEW-001", "p998", "P041"];

    private static readonly string[] Notes =
        ["gift", "VIP", "customer said \"thanks\"", "a, b, and c", "two-line{NL}note", "line 1{NL}line 2{NL}line 3",
         "\"quoted\" start", "promo: 10%, no code"];

    private static readonly TimeSpan[] Offsets =
        [TimeSpan.FromHours(2), TimeSpan.FromHours(-5), new(5, 30, 0), new(-3, -30, 0), TimeSpan.FromHours(1)];

    private readonly Random _random = new(options.Seed);

    // Column order and drift values have their own streams, so that they never change the rows' values.
    private readonly Random _layoutRandom = new(unchecked(options.Seed * 31 + 7));
    private readonly Random _driftRandom = new(unchecked(options.Seed * 17 + 3));
    private readonly string _newLine = options.Crlf ? "\r\n" : "\n";
    private readonly DateTime _asOf = options.AsOf.UtcDateTime;
    private List<CatalogProduct> _catalog = [];
    private int[] _popularity = [];
    private double[] _zipfWeights = [];
    private int _nextTransaction = 1;

    public SampleDataOptions Options { get; } = options;

    public static GeneratedSampleData Generate(SampleDataOptions options) => new SalesDataGenerator(options).Generate();

    /// <summary>Both files as text: for small files only.</summary>
    public GeneratedSampleData Generate()
    {
        using var sales = new StringWriter(CultureInfo.InvariantCulture);
        using var products = new StringWriter(CultureInfo.InvariantCulture);
        Write(sales, products);
        return new GeneratedSampleData(sales.ToString(), products.ToString());
    }

    /// <summary>Writes both files (UTF-8, no BOM unless asked for), streaming, and returns their paths.</summary>
    public (string SalesPath, string ProductsPath) WriteTo(string directory, string salesFileName = "sales.csv", string productsFileName = "products.json")
    {
        Directory.CreateDirectory(directory);
        var salesPath = Path.Combine(directory, salesFileName);
        var productsPath = Path.Combine(directory, productsFileName);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var sales = new StreamWriter(salesPath, append: false, utf8, bufferSize: 1 << 16);
        using var products = new StreamWriter(productsPath, append: false, utf8);
        Write(sales, products);
        return (salesPath, productsPath);
    }

    /// <summary>Writes the products, then the sales block by block. One generator writes once.</summary>
    public void Write(TextWriter sales, TextWriter products)
    {
        ArgumentNullException.ThrowIfNull(sales);
        ArgumentNullException.ThrowIfNull(products);
        if (Options.Rows < MinimumRows)
            throw new ArgumentOutOfRangeException(nameof(options), $"At least {MinimumRows} rows are needed to hold every case.");
        if (_catalog.Count > 0)
            throw new InvalidOperationException("A generator writes its files once.");
        products.Write(GenerateProducts());

        var columns = ColumnOrder();
        if (Options.Bom)
            sales.Write('\uFEFF');
        sales.Write(string.Join(',', columns.Select(i => HeaderSpelling[i])));
        sales.Write(_newLine);
        var remaining = Options.Rows;
        while (remaining > 0)
        {
            var rows = remaining <= BlockRows + MinimumRows ? remaining : BlockRows;
            WriteBlock(sales, GenerateSales(rows), columns);
            remaining -= rows;
        }
    }

    private string[] Columns => Options.ExtraColumns ? [.. BaseColumns, .. DriftColumns] : BaseColumns;

    private string[] HeaderSpelling => Options.ExtraColumns ? [.. BaseHeaderSpelling, " Store_Region", "COUPON_CODE "] : BaseHeaderSpelling;

    private int[] ColumnOrder()
    {
        var order = Enumerable.Range(0, Columns.Length).ToArray();
        return Options.ShuffleColumns ? [.. order.OrderBy(_ => _layoutRandom.Next())] : order;
    }

    // ---------------------------------------------------------------- products

    /// <summary>A product as the snapshot will hold it once normalized (the later of a duplicate id).</summary>
    private sealed record CatalogProduct(string Id, decimal BasePrice);

    private string GenerateProducts()
    {
        var catalog = new List<CatalogProduct>();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (Options.ProductsAsBareArray)
                json.WriteStartArray();
            else
            {
                json.WriteStartObject();
                json.WriteStartArray("items");
            }

            for (var n = 1; n <= 40; n++)
            {
                var id = $"P{n:000}";
                var price = n switch
                {
                    2 => 40.00m,    // even cents: the at-threshold rows use it
                    10 => 0m,       // a free product: never a price outlier
                    _ => Math.Round((decimal)(_random.NextDouble() * 300 + 2), 2),
                };

                if (n == 15)
                {
                    // The same id twice: this first version loses to the later one below.
                    WriteProduct(json, id, "Old Name", "Toys", "Globex", Num(price + 5), Num(3));
                }

                var stock = n switch
                {
                    4 => null as object,      // explicit null
                    9 => "absent",
                    12 => -5,                 // invalid → null
                    21 => 2.5,                // invalid → null
                    27 => "lots",             // invalid → null
                    33 => 0,
                    _ => _random.Next(0, 500),
                };
                var name = n switch
                {
                    5 => "  Deluxe   Lamp\t",
                    17 => "",
                    _ => $"{Adjectives[_random.Next(Adjectives.Length)]} {Nouns[(n * 7) % Nouns.Length]} {n}",
                };
                var category = Categories[_random.Next(Categories.Length)];
                category = (n % 6) switch
                {
                    0 => category.ToLowerInvariant(),
                    1 => " " + category.ToUpperInvariant().Replace(" ", "  ", StringComparison.Ordinal) + " ",
                    _ => category,
                };
                if (n == 25)
                    category = " home  &  GARDEN ";
                if (n is 8 or 29)
                    category = "   ";
                string? manufacturer = Manufacturers[_random.Next(Manufacturers.Length)];
                if (n is 6 or 31)
                    manufacturer = null;
                if (n == 19)
                    manufacturer = "";
                if (n == 23)
                    manufacturer = "  Globex  ";

                object priceValue = (n % 5) switch
                {
                    _ when n == 10 => Num(0m),
                    0 => price.ToString("0.00", CultureInfo.InvariantCulture),          // numeric string
                    3 when n is 3 or 38 => " " + price.ToString(CultureInfo.InvariantCulture) + " ",
                    _ => Num(price),
                };
                if (n == 7)
                    priceValue = Num(price - 0.005m);   // 3 decimals: rounds half away from zero back to price
                var jsonId = n switch
                {
                    3 => " p003 ",
                    11 => "p011",
                    _ => id,
                };

                WriteProduct(json, jsonId, name, category, manufacturer, priceValue, stock);
                catalog.Add(new CatalogProduct(id, price));
            }

            // Items that are rejected: no id, a negative price, an unparseable price.
            WriteProduct(json, null, "Orphan", "Toys", "Globex", Num(5m), Num(1));
            WriteProduct(json, "P041", "Broken Price", "Toys", "Globex", Num(-3.50m), Num(1));
            WriteProduct(json, "P042", "No Price", "Toys", "Globex", "n/a", Num(1));

            json.WriteEndArray();
            if (!Options.ProductsAsBareArray)
                json.WriteEndObject();
        }

        _catalog = catalog;
        // Which product is the most popular, the second, …: a seeded shuffle of the catalog.
        _popularity = [.. Enumerable.Range(0, catalog.Count).OrderBy(_ => _random.Next())];
        _zipfWeights = [.. Enumerable.Range(1, catalog.Count).Select(k => 1.0 / Math.Pow(k, 1.1))];
        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private readonly record struct JsonNumber(decimal Value);

    private static JsonNumber Num(decimal value) => new(value);

    private static void WriteProduct(Utf8JsonWriter json, string? id, string? name, string? category, string? manufacturer, object price, object? stock)
    {
        json.WriteStartObject();
        if (id is not null)
            json.WriteString("product_id", id);
        json.WriteString("product_name", name);
        json.WriteString("category", category);
        if (manufacturer is null)
            json.WriteNull("manufacturer");
        else
            json.WriteString("manufacturer", manufacturer);
        json.WritePropertyName("base_price");
        WriteValue(json, price);
        if (stock is not "absent")
        {
            json.WritePropertyName("stock_quantity");
            WriteValue(json, stock);
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case JsonNumber n: json.WriteNumberValue(n.Value); break;
            case int i: json.WriteNumberValue(i); break;
            case double d: json.WriteNumberValue(d); break;
            case string s: json.WriteStringValue(s); break;
            default: throw new ArgumentException($"Unsupported JSON value {value.GetType()}", nameof(value));
        }
    }

    // ---------------------------------------------------------------- sales

    private enum DateFormat
    {
        IsoZ, IsoOffset, IsoNoZone, IsoFraction, DateOnly, DateTimeMinutes, DateTimeSeconds, SlashedIso,
        Us, UsShort, DayMonAbbrev, DayMonthFull, MonDayAbbrev, MonthDayFull, Epoch,
    }

    private static readonly (DateFormat Format, int Weight)[] DateFormats =
    [
        (DateFormat.IsoZ, 22), (DateFormat.IsoOffset, 8), (DateFormat.IsoNoZone, 5), (DateFormat.IsoFraction, 5),
        (DateFormat.DateOnly, 15), (DateFormat.DateTimeMinutes, 5), (DateFormat.DateTimeSeconds, 12),
        (DateFormat.SlashedIso, 5), (DateFormat.Us, 5), (DateFormat.UsShort, 3), (DateFormat.DayMonAbbrev, 4),
        (DateFormat.DayMonthFull, 2), (DateFormat.MonDayAbbrev, 4), (DateFormat.MonthDayFull, 2), (DateFormat.Epoch, 3),
    ];

    /// <summary>One data record: its cells by column name, and how to damage it when it must be malformed.</summary>
    private sealed class SaleRow
    {
        public string TransactionId = "";
        public string? Customer;
        public string ProductId = "";
        public DateTime Instant;
        public int Quantity;
        public decimal? Price;          // null: left empty (imputed, or a reject)
        public string Channel = "";     // canonical, or "?" for an unknown channel
        public Dictionary<string, Cell> Cells = new(StringComparer.Ordinal);
        public int FieldCountDelta;
        public double Position;         // where the row goes in the file

        public SaleRow Clone() => new()
        {
            TransactionId = TransactionId, Customer = Customer, ProductId = ProductId, Instant = Instant,
            Quantity = Quantity, Price = Price, Channel = Channel, Cells = new(Cells, StringComparer.Ordinal),
        };
    }

    /// <summary>A cell's text; Raw is written as is (no quoting), Quote forces quotes around a plain value.</summary>
    private readonly record struct Cell(string Text, bool Quote = false, bool Raw = false);

    private static int Scaled(int rows, int per1000) => Math.Max(3, (int)Math.Round(rows * per1000 / 1000.0));

    private List<SaleRow> GenerateSales(int rows)
    {
        // Rejected rows per reason, exact duplicates; all scale with the file and keep its rates.
        var malformed = Scaled(rows, 5);
        var missingTx = Scaled(rows, 4);
        var missingProduct = Scaled(rows, 4);
        var invalidDate = Scaled(rows, 5);
        var future = Scaled(rows, 4);
        var invalidQuantity = Scaled(rows, 4);
        var zeroQuantity = Scaled(rows, 3);
        var invalidPrice = Scaled(rows, 3);
        var missingPrice = Scaled(rows, 3);
        var conflicts = Scaled(rows, 4);
        var exactDuplicates = Scaled(rows, 10);
        const int DuplicatesOfConflicts = 1;
        const int ClaimNoId = 1;
        var special = malformed + missingTx + missingProduct + invalidDate + future + invalidQuantity + zeroQuantity
            + invalidPrice + missingPrice + conflicts + exactDuplicates + DuplicatesOfConflicts + ClaimNoId;

        var normal = NormalRows(rows - special);
        for (var i = 0; i < normal.Count; i++)
            normal[i].Position = i;
        var file = new List<SaleRow>(normal);
        double end = normal.Count;

        // Rejected rows, each a damaged copy of a realistic row, anywhere in the file.
        void AddRejects(int count, Action<SaleRow, int> damage)
        {
            for (var k = 0; k < count; k++)
            {
                var row = normal[_random.Next(normal.Count)].Clone();
                row.TransactionId = NextTransactionId();
                Set(row, "transaction_id", row.TransactionId);
                damage(row, k);
                row.Position = _random.NextDouble() * end;
                file.Add(row);
            }
        }

        // A copy placed somewhere after its original (ties keep list order, so it still comes later).
        void AddAfter(SaleRow original, SaleRow copy)
        {
            copy.Position = original.Position + (end - original.Position) * _random.NextDouble();
            file.Add(copy);
        }

        AddRejects(malformed, MakeMalformed);
        AddRejects(missingTx, (r, k) => Set(r, "transaction_id", k % 2 == 0 ? "" : "   "));
        AddRejects(missingProduct, (r, k) => Set(r, "product_id", k % 2 == 0 ? "" : "  "));
        AddRejects(invalidDate, (r, k) => Set(r, "sale_date", Cycle(k, "2026-13-01", "31/12/2026", "2026-02-30", "yesterday", "", "2026-11-31", "00/10/2026")));
        AddRejects(future, (r, k) =>
        {
            var next = _asOf.AddDays(1);
            Set(r, "sale_date", Cycle(k,
                next.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                next.AddSeconds(1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                next.AddDays(1).ToString("MM/dd/yyyy", CultureInfo.InvariantCulture),
                next.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+00:30",
                next.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        });
        AddRejects(invalidQuantity, (r, k) => Set(r, "quantity", Cycle(k, "abc", "", "2.5", "two", "1.25")));
        AddRejects(zeroQuantity, (r, k) => Set(r, "quantity", Cycle(k, "0", "-0", "0.0", " 0 ")));
        AddRejects(invalidPrice, (r, k) => Set(r, "total_price", Cycle(k, "abc", "12.3.4", "N/A", "$-", "12,50 EUR")));
        AddRejects(missingPrice, (r, k) =>
        {
            Set(r, "product_id", UnknownProducts[k % UnknownProducts.Length]);
            Set(r, "total_price", k % 2 == 0 ? "" : "  ");
        });

        // Originals of copies are distinct rows, so every copy is exactly what it is meant to be.
        var originals = new Queue<SaleRow>(normal.Skip(10).OrderBy(_ => _random.Next()));

        // A rejected row claims no transaction id: a later row with the same id is accepted.
        var claimant = originals.Dequeue();
        var invalid = claimant.Clone();
        Set(invalid, "quantity", "n/a");
        invalid.Position = _random.NextDouble() * claimant.Position;
        file.Add(invalid);

        // Conflicts: the same id with different content, after the original; one conflict gets an exact copy.
        for (var k = 0; k < conflicts; k++)
        {
            var original = originals.Dequeue();
            var conflict = original.Clone();
            switch (k % 3)
            {
                case 0: Reprice(conflict, (conflict.Price ?? 0m) + 1.00m * Math.Sign(conflict.Quantity)); break;
                case 1:
                    conflict.Quantity += Math.Sign(conflict.Quantity);
                    Set(conflict, "quantity", conflict.Quantity.ToString(CultureInfo.InvariantCulture));
                    break;
                default: SetChannel(conflict, conflict.Channel == "store" ? "online" : "store"); break;
            }

            AddAfter(original, conflict);
            if (k < DuplicatesOfConflicts)
                AddAfter(conflict, Rerender(conflict));
        }

        // Exact duplicates: equal once normalized, some verbatim, some written differently.
        for (var k = 0; k < exactDuplicates; k++)
        {
            var original = originals.Dequeue();
            AddAfter(original, k % 2 == 0 ? original.Clone() : Rerender(original));
        }

        return [.. file.OrderBy(r => r.Position)];
    }

    private void MakeMalformed(SaleRow row, int k)
    {
        // A malformed record ends with its physical line; a multi-line note would leave more records behind,
        // which is a reader's recovery choice the fixture should not depend on.
        Set(row, "notes", "");
        switch (k % 5)
        {
            case 0: row.FieldCountDelta = -1; break;
            case 1: row.FieldCountDelta = 2; break;
            case 2: row.Cells["product_id"] = new Cell($"\"{row.ProductId}\"x", Raw: true); break;
            case 3: row.Cells["quantity"] = new Cell("1\"2", Raw: true); break;
            default: row.Cells["customer_id"] = new Cell($" \"{row.Customer ?? "C"}\"", Raw: true); break;
        }
    }

    private List<SaleRow> NormalRows(int count)
    {
        var anonymous = (int)Math.Round(count * 0.08);
        var returnsOnlyCustomers = Math.Max(3, count / 200);
        var returns = Math.Max(returnsOnlyCustomers * 2, (int)Math.Round(count * 0.05));
        var purchases = count - anonymous - returns;

        // Customers by how often they buy: frequent (5–12), occasional (2–4), the rest once.
        var buyers = new List<string>();
        var customerNo = 1;
        string NewCustomer() => $"C{customerNo++:00000}";
        while (buyers.Count < purchases * 0.35)
        {
            var id = NewCustomer();
            buyers.AddRange(Enumerable.Repeat(id, _random.Next(5, 13)));
        }

        while (buyers.Count < purchases * 0.70)
        {
            var id = NewCustomer();
            buyers.AddRange(Enumerable.Repeat(id, _random.Next(2, 5)));
        }

        // Ids that test quoting and case: a comma, a quote, and a lower-case twin of an existing id.
        buyers.Add("Smith, J");
        buyers.AddRange(["O\"Neil", "O\"Neil"]);
        buyers.Add("c00007");
        while (buyers.Count < purchases)
            buyers.Add(NewCustomer());
        buyers = buyers.Take(purchases).ToList();

        var returners = new List<string?>();
        for (var i = 0; i < returnsOnlyCustomers; i++)
            returners.AddRange(Enumerable.Repeat<string?>($"R{i + 1:0000}", 1 + (i % 2)));
        while (returners.Count < returns)
            returners.Add(_random.Next(4) == 0 ? null : buyers[_random.Next(buyers.Count)]);

        var rows = new List<SaleRow>(count);
        rows.AddRange(buyers.Select(b => NewRow(b, isReturn: false)));
        rows.AddRange(Enumerable.Range(0, anonymous).Select(_ => NewRow(null, isReturn: false)));
        rows.AddRange(returners.Select(c => NewRow(c, isReturn: true)));

        // Files come roughly in time order; ids follow it.
        rows = [.. rows.OrderBy(r => r.Instant).ThenBy(_ => _random.Next())];
        foreach (var row in rows)
        {
            row.TransactionId = NextTransactionId();
            Set(row, "transaction_id", row.TransactionId);
        }

        ApplyVariations(rows);
        return rows;
    }

    private SaleRow NewRow(string? customer, bool isReturn)
    {
        var product = _catalog[Zipf()];
        var quantity = _random.Next(100) switch
        {
            < 60 => 1,
            < 80 => 2,
            < 95 => _random.Next(3, 6),
            _ => _random.Next(6, 21),
        };
        if (isReturn)
            quantity = -Math.Min(quantity, 2);
        var factor = _random.Next(2) == 0 ? 1m : 0.85m + (decimal)_random.Next(0, 26) / 100m;
        var row = new SaleRow
        {
            Customer = customer,
            ProductId = product.Id,
            Quantity = quantity,
            Instant = RandomInstant(),
        };
        Set(row, "customer_id", RenderCustomer(customer));
        Set(row, "product_id", RenderProductId(product.Id));
        SetDate(row, row.Instant, PickDateFormat());
        Set(row, "quantity", RenderQuantity(quantity));
        Reprice(row, Round(quantity * product.BasePrice * factor));
        SetChannel(row, PickChannel());
        Set(row, "notes", _random.Next(100) < 85 ? "" : Notes[_random.Next(Notes.Length)].Replace("{NL}", _newLine, StringComparison.Ordinal));
        return row;
    }

    /// <summary>The flagged and edge cases, each on distinct rows picked at random.</summary>
    private void ApplyVariations(List<SaleRow> rows)
    {
        // Returns-only customers (R…) stay so; the free product P010 is never repriced.
        var pool = new Queue<SaleRow>(rows
            .Where(r => r.ProductId != "P010" && r.Customer?.StartsWith('R') != true)
            .OrderBy(_ => _random.Next()));
        int Share(double rate) => Math.Max(3, (int)Math.Round(rows.Count * rate));

        // sign_corrected: a sale with a negative price, a return with a positive one.
        for (var k = 0; k < Share(0.015); k++)
        {
            var r = pool.Dequeue();
            var price = r.Price!.Value;
            Set(r, "total_price", (k % 3) switch
            {
                0 => Money(-price),
                1 => price > 0 ? $"({Money(price)})" : Money(-price),
                _ => Money(-price),
            });
        }

        // price_imputed: no price, known product.
        for (var k = 0; k < Share(0.02); k++)
        {
            var r = pool.Dequeue();
            r.Price = null;
            Set(r, "total_price", k % 4 == 0 ? " " : "");
        }

        // unknown_channel
        for (var k = 0; k < Share(0.02); k++)
            SetChannel(pool.Dequeue(), "?", UnknownChannels[k % UnknownChannels.Length]);

        // unknown_product, with a price (without one they are rejected).
        for (var k = 0; k < Share(0.012); k++)
        {
            var r = pool.Dequeue();
            r.ProductId = UnknownProducts[k % UnknownProducts.Length].ToUpperInvariant();
            Set(r, "product_id", UnknownProducts[k % UnknownProducts.Length]);
            r.Price ??= Round(r.Quantity * 19.99m);
            Set(r, "total_price", RenderPrice(r.Price.Value));
        }

        // price_outlier: far above or below the base price.
        for (var k = 0; k < Share(0.01); k++)
        {
            var r = pool.Dequeue();
            var basePrice = _catalog.First(p => p.Id == r.ProductId).BasePrice;
            Reprice(r, Round(r.Quantity * basePrice * (k % 2 == 0 ? 3m : 0.25m)));
        }

        // Exactly at the threshold (not outliers) and just past it (outliers): P002, base 40.00, 2 units.
        foreach (var unit in new[] { 60.00m, 20.00m, 60.01m, 19.99m })
        {
            var r = pool.Dequeue();
            r.ProductId = "P002";
            Set(r, "product_id", "P002");
            r.Quantity = 2;
            Set(r, "quantity", "2");
            Reprice(r, 2 * unit);
        }

        // Just inside as-of + 24 h (accepted); the rows just outside are future_sale_date rejects.
        var next = _asOf.AddDays(1);
        foreach (var (text, instant) in new[]
        {
            (next.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), next),
            (next.AddSeconds(-1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), next.AddSeconds(-1)),
            (next.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+01:00", next),
            (next.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture), next),
        })
        {
            var r = pool.Dequeue();
            r.Instant = instant;
            Set(r, "sale_date", text);
        }

        // A sale that crosses a month boundary in UTC.
        var crossing = pool.Dequeue();
        crossing.Instant = new DateTime(2026, 7, 31, 23, 30, 0, DateTimeKind.Utc);
        Set(crossing, "sale_date", "2026-08-01T01:30:00+02:00");

        // Quoted fields that need no quotes, and a price large enough for a thousands separator.
        for (var k = 0; k < 5; k++)
        {
            var r = pool.Dequeue();
            r.Cells["product_id"] = r.Cells["product_id"] with { Quote = true };
            r.Cells["quantity"] = r.Cells["quantity"] with { Quote = true };
        }

        var big = pool.Dequeue();
        var dearest = _catalog.MaxBy(p => p.BasePrice)!;
        big.ProductId = dearest.Id;
        Set(big, "product_id", dearest.Id);
        big.Quantity = 20;
        Set(big, "quantity", "20");
        big.Price = 20 * dearest.BasePrice;
        Set(big, "total_price", "$" + big.Price.Value.ToString("#,##0.00", CultureInfo.InvariantCulture));
    }

    // ---------------------------------------------------------------- rendering

    private string NextTransactionId() => $"TX{_nextTransaction++:000000}";

    private static void Set(SaleRow row, string column, string text) => row.Cells[column] = new Cell(text);

    private static string Cycle(int k, params string[] values) => values[k % values.Length];

    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private void Reprice(SaleRow row, decimal price)
    {
        row.Price = price;
        Set(row, "total_price", RenderPrice(price));
    }

    private void SetChannel(SaleRow row, string channel, string? text = null)
    {
        row.Channel = channel;
        Set(row, "sales_channel", text ?? RenderChannel(channel));
    }

    private void SetDate(SaleRow row, DateTime instant, DateFormat format)
    {
        var (text, effective) = RenderDate(instant, format);
        row.Instant = effective;
        Set(row, "sale_date", text);
    }

    /// <summary>The same normalized content, written differently.</summary>
    private SaleRow Rerender(SaleRow original)
    {
        var copy = original.Clone();
        Set(copy, "customer_id", original.Customer is null ? "" : "  " + original.Customer + " ");
        Set(copy, "product_id", " " + original.ProductId.ToLowerInvariant());
        Set(copy, "quantity", original.Quantity.ToString(CultureInfo.InvariantCulture) + ".0");
        if (original.Price is { } price)
            Set(copy, "total_price", price < 0 ? $"(${(-price).ToString("#,##0.00", CultureInfo.InvariantCulture)})" : "$" + price.ToString("#,##0.00", CultureInfo.InvariantCulture));
        if (original.Channel != "?")
            Set(copy, "sales_channel", RenderChannel(original.Channel));
        if (original.Instant.Ticks % TimeSpan.TicksPerSecond == 0)
            Set(copy, "sale_date", RenderDate(original.Instant, original.Instant.TimeOfDay == TimeSpan.Zero ? DateFormat.Us : DateFormat.Epoch).Text);
        Set(copy, "notes", "re-sent");
        return copy;
    }

    private string RenderCustomer(string? customer) => customer is null ? "" : _random.Next(20) == 0 ? " " + customer + " " : customer;

    private string RenderProductId(string id) => _random.Next(15) switch
    {
        0 => id.ToLowerInvariant(),
        1 => " " + id + " ",
        _ => id,
    };

    private string RenderQuantity(int quantity) => _random.Next(20) switch
    {
        0 => quantity.ToString(CultureInfo.InvariantCulture) + ".0",
        1 => " " + quantity.ToString(CultureInfo.InvariantCulture),
        _ => quantity.ToString(CultureInfo.InvariantCulture),
    };

    private string RenderPrice(decimal price)
    {
        var abs = Math.Abs(price);
        var grouped = abs >= 1000 && _random.Next(2) == 0;
        var digits = grouped ? abs.ToString("#,##0.00", CultureInfo.InvariantCulture) : Money(abs);
        var choice = _random.Next(20);
        if (choice == 0 && abs > 0)
        {
            // A midpoint with three decimals: rounds half away from zero to the intended cents.
            digits = (abs - 0.005m).ToString("0.000", CultureInfo.InvariantCulture);
        }

        var symbol = choice switch
        {
            1 or 2 or 3 => "$",
            4 => "€",
            5 => "£ ",
            _ => "",
        };
        if (choice == 6)
            digits = abs.ToString("0.##", CultureInfo.InvariantCulture);
        if (price >= 0)
            return choice == 7 ? " " + symbol + digits + " " : symbol + digits;
        return _random.Next(3) == 0 ? $"({symbol}{digits})" : $"-{symbol}{digits}";
    }

    private string PickChannel()
    {
        var total = ChannelAliases.Sum(c => c.Weight);
        var pick = _random.Next(total);
        foreach (var (channel, weight, _) in ChannelAliases)
        {
            if (pick < weight)
                return channel;
            pick -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    private string RenderChannel(string channel)
    {
        var aliases = ChannelAliases.First(c => c.Channel == channel).Aliases;
        var alias = aliases[_random.Next(aliases.Length)];
        var words = alias.Split(' ', '-');
        var separator = words.Length > 1 ? Cycle(_random.Next(3), " ", "-", "_") : "";
        words = _random.Next(4) switch
        {
            0 => [.. words.Select(w => w.ToUpperInvariant())],
            1 => [.. words.Select(w => char.ToUpperInvariant(w[0]) + w[1..])],
            _ => words,
        };
        var text = string.Join(separator, words);
        return _random.Next(10) == 0 ? " " + text + " " : text;
    }

    private DateTime RandomInstant()
    {
        var start = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (long)((_asOf - start).TotalSeconds * _random.NextDouble());
        return start.AddSeconds(seconds);
    }

    private DateFormat PickDateFormat()
    {
        var pick = _random.Next(DateFormats.Sum(f => f.Weight));
        foreach (var (format, weight) in DateFormats)
        {
            if (pick < weight)
                return format;
            pick -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The text of an instant in a format, and the instant that text stands for.</summary>
    private (string Text, DateTime Effective) RenderDate(DateTime instant, DateFormat format)
    {
        var inv = CultureInfo.InvariantCulture;
        var date = instant.Date;
        var minutes = date.AddMinutes(Math.Floor(instant.TimeOfDay.TotalMinutes));
        switch (format)
        {
            case DateFormat.IsoZ: return (instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv), instant);
            case DateFormat.IsoNoZone: return (instant.ToString("yyyy-MM-dd'T'HH:mm:ss", inv), instant);
            case DateFormat.IsoOffset:
                var offset = Offsets[_random.Next(Offsets.Length)];
                return (new DateTimeOffset(instant).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", inv), instant);
            case DateFormat.IsoFraction:
                var withMs = instant.AddMilliseconds(_random.Next(1, 1000));
                return (withMs.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", inv), withMs);
            case DateFormat.DateTimeMinutes: return (minutes.ToString("yyyy-MM-dd HH:mm", inv), minutes);
            case DateFormat.DateTimeSeconds: return (instant.ToString("yyyy-MM-dd HH:mm:ss", inv), instant);
            case DateFormat.Epoch: return (new DateTimeOffset(instant).ToUnixTimeSeconds().ToString(inv), instant);
            case DateFormat.DateOnly: return (date.ToString("yyyy-MM-dd", inv), date);
            case DateFormat.SlashedIso: return (date.ToString("yyyy/MM/dd", inv), date);
            case DateFormat.Us: return (date.ToString("MM/dd/yyyy", inv), date);
            case DateFormat.UsShort: return (date.ToString("M/d/yyyy", inv), date);
            case DateFormat.DayMonAbbrev: return (date.ToString("dd MMM yyyy", inv), date);
            case DateFormat.DayMonthFull: return (date.ToString("dd MMMM yyyy", inv), date);
            case DateFormat.MonDayAbbrev: return (date.ToString("MMM dd, yyyy", inv), date);
            case DateFormat.MonthDayFull: return (date.ToString("MMMM dd, yyyy", inv), date);
            default: throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    /// <summary>A Zipf-like skew: the first products sell far more than the last.</summary>
    private int Zipf()
    {
        var pick = _random.NextDouble() * _zipfWeights.Sum();
        for (var i = 0; i < _zipfWeights.Length; i++)
        {
            if (pick < _zipfWeights[i])
                return _popularity[i];
            pick -= _zipfWeights[i];
        }

        return _popularity[^1];
    }

    private void WriteBlock(TextWriter sales, List<SaleRow> file, int[] order)
    {
        var columns = Columns;
        var blankAfter = new HashSet<int>(Enumerable.Range(0, 5).Select(_ => _random.Next(file.Count)));
        for (var i = 0; i < file.Count; i++)
        {
            var row = file[i];
            if (Options.ExtraColumns)
            {
                for (var d = 0; d < DriftColumns.Count; d++)
                    row.Cells.TryAdd(DriftColumns[d], new Cell(DriftValues[d][_driftRandom.Next(DriftValues[d].Length)]));
            }

            var cells = order.Select(c => Render(row.Cells.GetValueOrDefault(columns[c]))).ToList();
            if (row.FieldCountDelta < 0)
                cells.RemoveAt(cells.Count - 1);
            for (var k = 0; k < row.FieldCountDelta; k++)
                cells.Add("extra");
            sales.Write(string.Join(',', cells));
            sales.Write(_newLine);
            // A blank line, sometimes of spaces and tabs (blank too, DATA_CONTRACT_NOTES.md), from the drift stream.
            if (blankAfter.Contains(i))
                sales.Write(Options.ExtraColumns && _driftRandom.Next(2) == 0 ? " \t" + _newLine : _newLine);
        }
    }

    private static string Render(Cell cell)
    {
        if (cell.Raw)
            return cell.Text;
        var needsQuotes = cell.Quote || cell.Text.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cell.Text.Length > 0 && cell.Text[0] == '"');
        return needsQuotes ? "\"" + cell.Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell.Text;
    }
}
