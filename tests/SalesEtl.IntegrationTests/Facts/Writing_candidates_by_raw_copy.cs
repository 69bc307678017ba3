using System.Buffers.Binary;
using CsCheck;
using Npgsql;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Sales;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Facts;

/// <summary>
/// TransformedChunkWriter writes fact_sales and transformed_sales by raw binary COPY of rows that SaleCopyRows encodes,
/// where it used Npgsql's binary importer. The importer is the reference: for any sales, the new rows must be the bytes
/// the importer sent (caught by letting it COPY into all-bytea columns, which keep a field's bytes as they came), and
/// what PostgreSQL stores from them must read back equal, column by column.
/// </summary>
public sealed class Writing_candidates_by_raw_copy : IAsyncLifetime
{
    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("raw_copy");

    public async Task DisposeAsync() => await database.DisposeAsync();

    // Non-ASCII, astral-plane (surrogate pairs), quoting and escaping characters, empty strings. No NUL: PostgreSQL's
    // text has none, whoever sends it.
    static readonly Gen<string> Texts = Gen.OneOf("a", "Z", "7", " ", "é", "ß", "中", "😀", "𝄞", "\"", "'", "\\", ",", "\t", "\n", "\r", "\u00FF", "\uFFFD")
        .Array[0, 12].Select(parts => string.Concat(parts));

    static readonly long MinTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    static readonly long MaxTicks = new DateTime(2101, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - 1;

    // Any tick in the range, so most carry a sub-microsecond part that both writers must drop alike.
    static readonly Gen<DateTime> Dates = Gen.Long[MinTicks, MaxTicks].Select(ticks => new DateTime(ticks, DateTimeKind.Utc));

    // What numeric(18,2) holds: |value| < 10^16, with 0, 1 or 2 decimals (the scale itself varies, 5m, 5.0m, 5.00m);
    // zero and negative zero at each scale, and the extremes.
    static readonly Gen<decimal> Money = Gen.Frequency(
        (8, Gen.Int[0, 2].SelectMany(scale => Gen.Long[-(Pow10(16 + scale) - 1), Pow10(16 + scale) - 1].Select(mantissa => Scaled(mantissa, scale)))),
        (2, Gen.Int[0, 2].SelectMany(scale => Gen.Long[-100_000, 100_000].Select(mantissa => Scaled(mantissa, scale)))),
        (1, Gen.OneOf(0m, 0.0m, 0.00m, -0.00m, new decimal(0, 0, 0, true, 1), 9_999_999_999_999_999.99m, -9_999_999_999_999_999.99m, 0.01m, -0.01m, 10_000m, 100_000_000m, 0.1m)));

    static Gen<NormalizedSale> Sales(Gen<decimal> prices, Gen<DateTime> dates) =>
        Gen.Select(Texts, Texts.Null(0.3), Texts, dates, Gen.Int, prices, Texts, Gen.Int[0, 63], Gen.Select(Texts, Gen.Bool),
            (transaction, customer, product, date, quantity, price, channel, flags, raw) =>
                new NormalizedSale(0, transaction, customer, product, date, quantity, price, channel, (SaleFlags)flags, raw.Item1, raw.Item2));

    // A chunk in line order, as the transformer hands it over.
    static Gen<List<NormalizedSale>> Chunks(Gen<decimal> prices, Gen<DateTime> dates) =>
        Sales(prices, dates).List[1, 40].Select(sales => sales.Select((sale, i) => sale with { SourceLine = 2 + i }).ToList());

    [Fact]
    public async Task Should_send_the_bytes_that_Npgsql_importer_sends_for_the_same_sales()
    {
        // No typmod on a bytea column: any decimal and any DateTime Npgsql takes for a timestamptz, infinities too.
        var anyDecimal = Gen.Frequency((3, Gen.Decimal), (3, Money));
        var anyDate = Gen.Frequency((20, Dates), (1, Gen.OneOf(DateTime.MinValue, DateTime.MaxValue, new DateTime(1, 1, 1, 0, 0, 0, 1, DateTimeKind.Utc), new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc).AddTicks(9999))));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await Execute(connection, $"CREATE TEMP TABLE fact_bytes ({ByteaColumns(SaleCopyRows.FactSalesCopy)}); CREATE TEMP TABLE candidate_bytes ({ByteaColumns(SaleCopyRows.TransformedSalesCopy)})");
        var factCopy = SaleCopyRows.FactSalesCopy.Replace("COPY fact_sales ", "COPY fact_bytes ", StringComparison.Ordinal);
        var candidateCopy = SaleCopyRows.TransformedSalesCopy.Replace("COPY transformed_sales ", "COPY candidate_bytes ", StringComparison.Ordinal);

        await Gen.Select(Chunks(anyDecimal, anyDate), Gen.Guid, Gen.Int, Gen.Long).SampleAsync(async sample =>
        {
            var (sales, runId, chunkNo, snapshotId) = sample;
            await Execute(connection, "TRUNCATE fact_bytes, candidate_bytes");
            await ImporterCopy.WriteFactsAsync(connection, factCopy, runId, snapshotId, sales);
            await ImporterCopy.WriteCandidatesAsync(connection, candidateCopy, runId, chunkNo, sales);

            using var facts = new PooledBufferWriter();
            using var candidates = new PooledBufferWriter();
            PgBinaryCopy.WriteHeader(facts);
            PgBinaryCopy.WriteHeader(candidates);
            foreach (var sale in sales)
            {
                SaleCopyRows.AppendFact(facts, runId, sale, snapshotId);
                SaleCopyRows.AppendCandidate(candidates, runId, chunkNo, sale);
            }
            PgBinaryCopy.WriteTrailer(facts);
            PgBinaryCopy.WriteTrailer(candidates);

            Assert.Equal(await CopyOutAsync(connection, "fact_bytes"), facts.WrittenSpan.ToArray());
            Assert.Equal(await CopyOutAsync(connection, "candidate_bytes"), candidates.WrittenSpan.ToArray());
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Should_store_every_column_as_the_importer_stored_it()
    {
        var writer = new TransformedChunkWriter(database.DataSource);
        await Gen.Select(Chunks(Money, Dates), Gen.Int[1, 1000], Gen.Long[1, long.MaxValue]).SampleAsync(async sample =>
        {
            var (sales, chunkNo, snapshotId) = sample;
            var written = Guid.NewGuid();
            var reference = Guid.NewGuid();

            Assert.True(await writer.WriteAsync(written, chunkNo, snapshotId, sales, [], CancellationToken.None));
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                await ImporterCopy.WriteFactsAsync(connection, SaleCopyRows.FactSalesCopy, reference, snapshotId, sales.Where(s => s.FirstOccurrence).ToList());
                await ImporterCopy.WriteCandidatesAsync(connection, SaleCopyRows.TransformedSalesCopy, reference, chunkNo, sales.Where(s => !s.FirstOccurrence).ToList());
            }

            Assert.Equal(await ReadAsync("fact_sales", reference), await ReadAsync("fact_sales", written));
            Assert.Equal(await ReadAsync("transformed_sales", reference), await ReadAsync("transformed_sales", written));
            Assert.Equal(sales.Count, (await ReadAsync("fact_sales", written)).Count + (await ReadAsync("transformed_sales", written)).Count);
        }, iter: 60, threads: 1);
    }

    [Fact]
    public async Task Should_read_back_the_values_it_was_given()
    {
        var runId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var sales = new List<NormalizedSale>
        {
            // 1999-12-31 23:59:59.9999999 UTC: Npgsql divides the ticks before 2000 towards zero, so it is 2000-01-01.
            new(2, "T1", null, "P-é😀", new DateTime(630_822_815_999_999_999L, DateTimeKind.Utc), -3, -1234.5m, "", SaleFlags.SignCorrected, "raw 1", true),
            new(3, "", "", "P", new DateTime(2100, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9), 7, 0.00m, "web", SaleFlags.None, "𝄞", false),
        };

        Assert.True(await new TransformedChunkWriter(database.DataSource).WriteAsync(runId, 4, 99, sales, [], CancellationToken.None));

        Assert.Equal(
            "00112233-4455-6677-8899-aabbccddeeff|2|T1|<null>|P-é😀|2000-01-01 00:00:00+00|-3|-1234.50||1|99",
            await database.ScalarAsync<string>("SELECT concat_ws('|', run_id, source_line, transaction_id, coalesce(customer_id, '<null>'), product_id, sale_date AT TIME ZONE 'UTC' || '+00', quantity, total_price, sales_channel, flags, snapshot_id) FROM fact_sales"));
        Assert.Equal(
            "00112233-4455-6677-8899-aabbccddeeff|4|3|||P|2100-12-31 23:59:59+00|7|0.00|web|0|𝄞",
            await database.ScalarAsync<string>("SELECT concat_ws('|', run_id, chunk_no, source_line, transaction_id, coalesce(customer_id, '<null>'), product_id, sale_date AT TIME ZONE 'UTC' || '+00', quantity, total_price, sales_channel, flags, raw_text) FROM transformed_sales"));
    }

    [Fact]
    public async Task Should_fail_clearly_on_a_lone_surrogate_and_write_nothing()
    {
        var runId = Guid.NewGuid();
        var writer = new TransformedChunkWriter(database.DataSource);
        NormalizedSale[] sales =
        [
            new(2, "T1", "C1", "P1", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), 1, 1.00m, "web", SaleFlags.None, "raw", true),
            new(3, "T2", "C1", "P\uD83D", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), 1, 1.00m, "web", SaleFlags.None, "raw", true),
        ];

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(runId, 1, 1, sales, [], CancellationToken.None));

        Assert.Equal("The product_id of line 3 is not valid UTF-16: it holds a lone surrogate, which has no UTF-8 form for a PostgreSQL text.", exception.Message);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'"));
        // The pool's connections still work: the COPY was cancelled, not left open.
        Assert.True(await writer.WriteAsync(runId, 1, 1, sales[..1], [], CancellationToken.None));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'"));
    }

    [Fact]
    public void Should_refuse_a_lone_surrogate_in_any_text_whichever_half_it_is()
    {
        using var buffer = new PooledBufferWriter();
        var sale = new NormalizedSale(9, "T", null, "P", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), 1, 1m, "web", SaleFlags.None, "raw");

        Assert.Contains("transaction_id of line 9", Assert.Throws<ArgumentException>(() => SaleCopyRows.AppendFact(buffer, Guid.Empty, sale with { TransactionId = "\uDC00x" }, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("customer_id of line 9", Assert.Throws<ArgumentException>(() => SaleCopyRows.AppendFact(buffer, Guid.Empty, sale with { CustomerId = "x\uD800" }, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("raw_text of line 9", Assert.Throws<ArgumentException>(() => SaleCopyRows.AppendCandidate(buffer, Guid.Empty, 1, sale with { RawText = "\uD800\uD800" })).Message, StringComparison.Ordinal);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Theory]
    [InlineData("10000000000000000")]
    [InlineData("-10000000000000000.00")]
    [InlineData("9999999999999999.995")]
    public async Task Should_fail_clearly_on_a_price_out_of_numeric_18_2(string price)
    {
        var runId = Guid.NewGuid();
        var sale = new NormalizedSale(2, "T1", "C1", "P1", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), 1,
            decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), "web", SaleFlags.None, "raw", true);

        var exception = await Assert.ThrowsAsync<PostgresException>(() => new TransformedChunkWriter(database.DataSource).WriteAsync(runId, 1, 1, [sale], [], CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.NumericValueOutOfRange, exception.SqlState);
        Assert.Equal("numeric field overflow", exception.MessageText);
        Assert.Contains("total_price", exception.Where, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'"));
    }

    [Theory]
    [InlineData("0.00", 0, -1, 0x0000, 2, new short[0])]
    [InlineData("0", 0, -1, 0x0000, 0, new short[0])]
    [InlineData("-0.00", 0, -1, 0x0000, 2, new short[0])]
    [InlineData("12.34", 2, 0, 0x0000, 2, new short[] { 12, 3400 })]
    [InlineData("12.00", 1, 0, 0x0000, 2, new short[] { 12 })]
    [InlineData("-10000.5", 3, 1, 0x4000, 1, new short[] { 1, 0, 5000 })]
    [InlineData("0.01", 1, -1, 0x0000, 2, new short[] { 100 })]
    [InlineData("100000000", 1, 2, 0x0000, 0, new short[] { 1 })]
    [InlineData("9999999999999999.99", 5, 3, 0x0000, 2, new short[] { 9999, 9999, 9999, 9999, 9900 })]
    public void Should_encode_a_numeric_as_PostgreSQL_NumericVar(string value, short count, short weight, int sign, short scale, short[] digits)
    {
        using var buffer = new PooledBufferWriter();
        var span = buffer.GetSpan(64);
        var row = new PgBinaryCopy.Row(span, 1);
        row.Numeric(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var field = span[2..row.Length].ToArray();
        Assert.Equal(8 + 2 * count, BinaryPrimitives.ReadInt32BigEndian(field));
        Assert.Equal(count, BinaryPrimitives.ReadInt16BigEndian(field[4..]));
        Assert.Equal(weight, BinaryPrimitives.ReadInt16BigEndian(field[6..]));
        Assert.Equal(sign, BinaryPrimitives.ReadUInt16BigEndian(field[8..]));
        Assert.Equal(scale, BinaryPrimitives.ReadInt16BigEndian(field[10..]));
        Assert.Equal(digits, Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadInt16BigEndian(field.AsSpan(12 + 2 * i))).ToArray());
    }

    async Task<List<string>> ReadAsync(string table, Guid runId)
    {
        // Everything but the run id, as PostgreSQL's text output shows it (so a timestamp or a scale that differs shows).
        var columns = table == "fact_sales"
            ? "source_line, transaction_id, customer_id IS NULL, customer_id, product_id, sale_date AT TIME ZONE 'UTC', quantity, total_price, sales_channel, flags, snapshot_id"
            : "chunk_no, source_line, transaction_id, customer_id IS NULL, customer_id, product_id, sale_date AT TIME ZONE 'UTC', quantity, total_price, sales_channel, flags, raw_text";
        await using var command = database.DataSource.CreateCommand($"SELECT concat_ws(U&'\\0001', {columns}) FROM {table} WHERE run_id = @run ORDER BY source_line");
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    static async Task<byte[]> CopyOutAsync(NpgsqlConnection connection, string table)
    {
        using var bytes = new MemoryStream();
        await using (var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table} TO STDOUT (FORMAT BINARY)"))
            await copy.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    // The COPY's columns, each a bytea: it keeps a field's bytes exactly as they were sent.
    static string ByteaColumns(string copyCommand) =>
        string.Join(", ", copyCommand[(copyCommand.IndexOf('(', StringComparison.Ordinal) + 1)..copyCommand.IndexOf(')', StringComparison.Ordinal)].Split(", ").Select(column => column + " bytea"));

    static long Pow10(int exponent) => exponent == 0 ? 1 : 10 * Pow10(exponent - 1);

    static decimal Scaled(long mantissa, int scale) =>
        new(unchecked((int)(ulong)Math.Abs(mantissa)), (int)((ulong)Math.Abs(mantissa) >> 32), 0, mantissa < 0, (byte)scale);
}
