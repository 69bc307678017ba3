using SalesEtl.Cli;
using SalesEtl.Cli.Bench;

namespace SalesEtl.Deploy.Tests;

/// <summary>How <c>etl</c> reads its options: a flag takes no value, so the option after it keeps its own.</summary>
public class The_command_line
{
    static readonly HashSet<string> Flags = [.. BenchCommand.Flags];

    [Fact]
    public void Should_read_the_option_after_a_flag_with_its_own_value()
    {
        var line = CommandLine.Parse(["bench", "--rows", "100", "--keep", "--out", "x.json"], Flags);

        Assert.True(line.Has("--keep"));
        Assert.Null(line.Value("--keep"));
        Assert.Equal("x.json", line.Value("--out"));
        Assert.Equal("100", line.Value("--rows"));
    }

    [Fact]
    public void Should_refuse_an_option_without_its_value()
    {
        Assert.Throws<UsageException>(() => CommandLine.Parse(["bench", "--rows"], Flags));
    }
}
