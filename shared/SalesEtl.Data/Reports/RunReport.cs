using SalesEtl.Data.Runs;

namespace SalesEtl.Data.Reports;

/// <summary>One bar of a chart: a stable key (product id, channel, month…), the label shown, and the value.</summary>
public sealed record ChartPoint(string Key, string Label, decimal Value);

/// <summary>One data quality expectation of a run (from <c>quality_reports.report_json</c>).</summary>
public sealed record ExpectationResultView(string Name, string Severity, bool Passed, string Observed, string Threshold);

/// <summary>The quality report of a run, as far as the page shows it.</summary>
public sealed record QualityView(string Outcome, string? Reason, IReadOnlyList<ExpectationResultView> Expectations,
    IReadOnlyList<ChartPoint> RejectedByReason, IReadOnlyList<ChartPoint> Flags);

/// <summary>Everything the run report page shows about one run; <see cref="RunReportReader"/> reads it, <see cref="RunReportPage"/> renders it.</summary>
public sealed record RunReport(
    BatchRunState Run,
    QualityView? Quality,
    IReadOnlyList<ChartPoint> TopProducts,
    int ProductCount,
    IReadOnlyList<ChartPoint> RevenueByChannel,
    IReadOnlyList<ChartPoint> RevenueByMonth,
    IReadOnlyList<ChartPoint> CustomerSegments,
    IReadOnlyList<ChartPoint> InventoryValueByCategory,
    decimal InventoryValue);
