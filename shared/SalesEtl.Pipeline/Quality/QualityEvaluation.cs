namespace SalesEtl.Pipeline.Quality;

/// <summary>What an expectation failing does to the run (SPEC §4).</summary>
public enum ExpectationSeverity
{
    /// <summary>The run succeeds with warnings.</summary>
    Warn,

    /// <summary>The run fails.</summary>
    Block,
}

/// <summary>Thresholds and severities of the SPEC §4 expectations (section <c>Quality</c>).</summary>
public sealed record QualityOptions
{
    public const string Section = "Quality";

    public decimal MaxRejectRate { get; init; } = 0.05m;
    public ExpectationSeverity RejectRateSeverity { get; init; } = ExpectationSeverity.Warn;
    public decimal MaxUnknownProductRate { get; init; } = 0.02m;
    public ExpectationSeverity UnknownProductRateSeverity { get; init; } = ExpectationSeverity.Warn;
    public ExpectationSeverity RequiredColumnsSeverity { get; init; } = ExpectationSeverity.Block;
    public ExpectationSeverity ReconciliationSeverity { get; init; } = ExpectationSeverity.Block;
}

/// <summary>The measured facts of a run that the expectations judge.</summary>
public sealed record QualityFacts(
    long RowsRead,
    long RowsAccepted,
    long RowsRejected,
    long DuplicatesDropped,
    long UnknownProductRows,
    long NullRequiredValues,
    decimal FactNetRevenue,
    decimal ProductRevenueNet,
    decimal ChannelPerformanceNet);

public sealed record ExpectationResult(string Name, string Severity, bool Passed, string Observed, string Threshold);

public sealed record QualityVerdict(string Outcome, string? Reason, IReadOnlyList<ExpectationResult> Expectations);

/// <summary>Judges a run's quality facts against the expectations; pure.</summary>
public static class QualityEvaluator
{
    public const string Succeeded = "succeeded";
    public const string SucceededWithWarnings = "succeeded_with_warnings";
    public const string Failed = "failed";

    public static QualityVerdict Evaluate(QualityFacts facts, QualityOptions options)
    {
        var rejectRate = Rate(facts.RowsRejected, facts.RowsRead);
        var unknownRate = Rate(facts.UnknownProductRows, facts.RowsAccepted);
        var expectations = new List<ExpectationResult>
        {
            Expect("reject_rate", options.RejectRateSeverity, rejectRate <= options.MaxRejectRate, Format(rejectRate), $"<= {options.MaxRejectRate:0.######}"),
            Expect("unknown_product_rate", options.UnknownProductRateSeverity, unknownRate <= options.MaxUnknownProductRate, Format(unknownRate), $"<= {options.MaxUnknownProductRate:0.######}"),
            Expect("no_null_required_columns", options.RequiredColumnsSeverity, facts.NullRequiredValues == 0, facts.NullRequiredValues.ToString(System.Globalization.CultureInfo.InvariantCulture), "0"),
            Expect("reconciliation", options.ReconciliationSeverity,
                facts.FactNetRevenue == facts.ProductRevenueNet && facts.FactNetRevenue == facts.ChannelPerformanceNet,
                $"facts {facts.FactNetRevenue:0.00}, product_revenue {facts.ProductRevenueNet:0.00}, channel_performance {facts.ChannelPerformanceNet:0.00}",
                "all equal"),
        };

        var blocking = expectations.Where(e => !e.Passed && e.Severity == "block").Select(e => e.Name).ToList();
        if (blocking.Count > 0)
            return new QualityVerdict(Failed, $"blocking expectation(s) failed: {string.Join(", ", blocking)}", expectations);
        var warnings = expectations.Where(e => !e.Passed).Select(e => e.Name).ToList();
        return warnings.Count > 0
            ? new QualityVerdict(SucceededWithWarnings, $"expectation(s) failed: {string.Join(", ", warnings)}", expectations)
            : new QualityVerdict(Succeeded, null, expectations);
    }

    /// <summary>A rate of zero rows is 0: an empty file breaks no threshold.</summary>
    static decimal Rate(long part, long whole) => whole == 0 ? 0m : (decimal)part / whole;

    static string Format(decimal rate) => rate.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);

    static ExpectationResult Expect(string name, ExpectationSeverity severity, bool passed, string observed, string threshold) =>
        new(name, severity == ExpectationSeverity.Block ? "block" : "warn", passed, observed, threshold);
}
