namespace SalesEtl.TestSupport;

/// <summary>Two sales rows (without their header) with the same transaction id; whether the second conflicts with the first.</summary>
public sealed record DuplicatePair(string First, string Second, bool Conflicts);

/// <summary>
/// SPEC §1 rule 10's cases for every implementation of the duplicate check (PostgreSQL, SQLite): a later row with an
/// earlier row's id conflicts when one field of its normalized content differs — transaction_id, customer_id, product_id,
/// sale_date (UTC, to the microsecond), quantity, final total_price, canonical channel — and is an exact duplicate when the
/// same content is written differently. Products P1 and P2 have a base price of 10; every id is T1, so that a caller may
/// rename it to put several pairs in one file.
/// </summary>
public static class DuplicatePairs
{
    public const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    public const string Products = """
        [{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10},
         {"product_id":"P2","product_name":"Desk","category":"home","base_price":10}]
        """;

    public static IReadOnlyList<DuplicatePair> All { get; } =
    [
        // One content field differs.
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C2,P1,2026-11-02,1,10.00,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,c1,P1,2026-11-02,1,10.00,web", true),
        new("T1,,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.00,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,,P1,2026-11-02,1,10.00,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P2,2026-11-02,1,10.00,web", true),
        new("T1,C1,P1,2026-11-02T10:00:00Z,1,10.00,web", "T1,C1,P1,2026-11-02T10:00:00.000001Z,1,10.00,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,2,10.00,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.01,web", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.00,store", true),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.00,fax", true),
        // The same content written differently.
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.00,web", false),
        new("T1,,P1,2026-11-02,1,10.00,web", "T1,  ,P1,2026-11-02,1,10.00,web", false),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1, C1 ,p1,2026-11-02,1,10.00,web", false),
        new("T1,C1,P1,2026-11-02,1,12.5,web", "T1,C1,P1,2026-11-02,1,12.50,web", false),
        new("T1,C1,P1,2026-11-02,1,1234.50,web", "T1,C1,P1,2026-11-02,1,\"1,234.5\",web", false),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.004,web", false),
        new("T1,C1,P1,2026-11-02,2,,web", "T1,C1,P1,2026-11-02,2,20.00,web", false),
        new("T1,C1,P1,2026-11-02,-1,10.00,web", "T1,C1,P1,2026-11-02,-1,-10.00,web", false),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1.0,10.00,web", false),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,2026-11-02,1,10.00,online", false),
        new("T1,C1,P1,2026-11-02,1,10.00,fax", "T1,C1,P1,2026-11-02,1,10.00,telex", false),
        new("T1,C1,P1,2026-11-02T10:00:00Z,1,10.00,web", "T1,C1,P1,2026-11-02T12:00:00+02:00,1,10.00,web", false),
        new("T1,C1,P1,2026-11-02T10:00:00Z,1,10.00,web", "T1,C1,P1,2026-11-02T10:00:00.0000009Z,1,10.00,web", false),
        new("T1,C1,P1,2026-11-02,1,10.00,web", "T1,C1,P1,11/02/2026,1,10.00,web", false),
    ];
}
