using SalesEtl.Pipeline.Quality;
using static SalesEtl.Pipeline.Quality.ExpectationSeverity;
using static SalesEtl.Pipeline.Quality.QualityEvaluator;

namespace SalesEtl.Pipeline.Tests.Quality;

public class Judging_a_runs_quality
{
    const string Reconciled = "10.00";

    // Defaults: reject rate <= 5 % warn, unknown product rate <= 2 % warn, no null required value block, reconciliation block.
    // The rates' denominators: rows read for rejects, rows accepted for unknown products.
    [Theory]
    //          read  rejected  accepted  unknown  nulls  product_revenue  reject rate's severity  outcome  failed expectations  reason
    [InlineData(100, 4, 96, 1, 0, Reconciled, Warn, Succeeded, "", null)]
    [InlineData(100, 5, 95, 0, 0, Reconciled, Warn, Succeeded, "", null)]
    [InlineData(1000, 51, 949, 0, 0, Reconciled, Warn, SucceededWithWarnings, "reject_rate", "expectation(s) failed: reject_rate")]
    [InlineData(1000, 51, 949, 0, 0, Reconciled, Block, Failed, "reject_rate", "blocking expectation(s) failed: reject_rate")]
    [InlineData(100, 5, 95, 0, 0, Reconciled, Block, Succeeded, "", null)]
    [InlineData(100, 0, 100, 2, 0, Reconciled, Warn, Succeeded, "", null)]
    [InlineData(100, 0, 100, 3, 0, Reconciled, Warn, SucceededWithWarnings, "unknown_product_rate", "expectation(s) failed: unknown_product_rate")]
    [InlineData(100, 6, 94, 3, 0, Reconciled, Warn, SucceededWithWarnings, "reject_rate,unknown_product_rate", "expectation(s) failed: reject_rate, unknown_product_rate")]
    [InlineData(100, 6, 94, 3, 0, Reconciled, Block, Failed, "reject_rate,unknown_product_rate", "blocking expectation(s) failed: reject_rate")]
    [InlineData(100, 6, 94, 0, 0, "9.99", Warn, Failed, "reject_rate,reconciliation", "blocking expectation(s) failed: reconciliation")]
    [InlineData(100, 0, 100, 0, 1, Reconciled, Warn, Failed, "no_null_required_columns", "blocking expectation(s) failed: no_null_required_columns")]
    [InlineData(0, 0, 0, 0, 0, Reconciled, Block, Succeeded, "", null)]
    public void Should_decide_the_outcome_from_the_failed_expectations_and_their_severity(
        long read, long rejected, long accepted, long unknown, long nulls, string productRevenue, ExpectationSeverity rejectRateSeverity,
        string outcome, string failed, string? reason)
    {
        var facts = Facts(read, rejected, accepted, unknown, nulls) with { ProductRevenueNet = decimal.Parse(productRevenue, System.Globalization.CultureInfo.InvariantCulture) };

        var verdict = Evaluate(facts, new QualityOptions { RejectRateSeverity = rejectRateSeverity });

        Assert.Equal(outcome, verdict.Outcome);
        Assert.Equal(failed, string.Join(',', verdict.Expectations.Where(e => !e.Passed).Select(e => e.Name)));
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void Should_judge_every_expectation_of_the_spec_with_its_observed_value_threshold_and_severity()
    {
        var verdict = Evaluate(Facts(read: 200, rejected: 11, accepted: 188, unknown: 4, nulls: 0),
            new QualityOptions { MaxRejectRate = 0.06m, UnknownProductRateSeverity = Block });

        Assert.Equal(
            [
                new ExpectationResult("reject_rate", "warn", true, "0.055000", "<= 0.06"),
                new ExpectationResult("unknown_product_rate", "block", false, "0.021277", "<= 0.02"),
                new ExpectationResult("no_null_required_columns", "block", true, "0", "0"),
                new ExpectationResult("reconciliation", "block", true, "facts 10.00, product_revenue 10.00, channel_performance 10.00", "all equal"),
            ],
            verdict.Expectations);
        Assert.Equal(Failed, verdict.Outcome);
    }

    [Fact]
    public void Should_observe_rates_of_zero_when_no_row_was_read()
    {
        var verdict = Evaluate(Facts(read: 0, rejected: 0, accepted: 0, unknown: 0, nulls: 0),
            new QualityOptions { MaxRejectRate = 0m, MaxUnknownProductRate = 0m });

        Assert.Equal(["0.000000", "0.000000"], verdict.Expectations.Take(2).Select(e => e.Observed));
        Assert.Equal(Succeeded, verdict.Outcome);
    }

    static QualityFacts Facts(long read, long rejected, long accepted, long unknown, long nulls) =>
        new(read, accepted, rejected, DuplicatesDropped: read - rejected - accepted, unknown, nulls, 10.00m, 10.00m, 10.00m);
}
