using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.IntegrationTests.Inputs;

/// <summary>
/// The input path policy on a real file system: a folder of its own holding the allowed root <c>in</c>, a folder
/// outside it and a sibling whose name starts like the root's, with symbolic links between them.
/// </summary>
public sealed class Checking_input_paths : IDisposable
{
    const string Outside = "outside the allowed input folders";

    readonly string folder = Directory.CreateTempSubdirectory("sales-etl-input-paths-").FullName;
    readonly string root;
    readonly string outside;

    public Checking_input_paths()
    {
        root = Directory.CreateDirectory(Path.Combine(folder, "in")).FullName;
        outside = Directory.CreateDirectory(Path.Combine(folder, "secrets")).FullName;
        File.WriteAllText(Path.Combine(root, "sales.csv"), "inside");
        File.WriteAllText(Path.Combine(outside, "sales.csv"), "outside");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    InputPathPolicy Policy(params string[] roots) => new(Options.Create(new InputOptions { AllowedRoots = [.. roots] }));

    [Fact]
    public void Should_allow_a_file_under_a_root_and_open_it_where_it_is()
    {
        var file = Path.Combine(root, "sales.csv");
        Assert.Null(Policy(root).Check(file, out var realPath));
        Assert.Equal(file, realPath);
    }

    [Fact]
    public void Should_refuse_a_file_outside_every_root()
    {
        Assert.Contains(Outside, Policy(root).Check(Path.Combine(outside, "sales.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_path_that_climbs_out_of_the_root()
    {
        Assert.Contains(Outside, Policy(root).Check($"{root}/../secrets/sales.csv", out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_file_in_a_folder_whose_name_only_starts_like_the_root()
    {
        var lookalike = Directory.CreateDirectory(root + "box-evil").FullName;
        File.WriteAllText(Path.Combine(lookalike, "sales.csv"), "lookalike");
        Assert.Contains(Outside, Policy(root).Check(Path.Combine(lookalike, "sales.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_file_reached_through_a_linked_folder_that_leads_outside()
    {
        Directory.CreateSymbolicLink(Path.Combine(root, "shared"), outside);
        Assert.Contains(Outside, Policy(root).Check(Path.Combine(root, "shared", "sales.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_linked_file_that_leads_outside()
    {
        File.CreateSymbolicLink(Path.Combine(root, "today.csv"), Path.Combine(outside, "sales.csv"));
        Assert.Contains(Outside, Policy(root).Check(Path.Combine(root, "today.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_check_the_very_file_that_dotnet_opens_when_dots_follow_a_link()
    {
        // root/deep -> secrets/sub: .NET takes root/deep/../sales.csv as root/sales.csv (the text first), the kernel
        // as secrets/sales.csv. The policy must judge, and hand back to open, the file .NET reads.
        Directory.CreateSymbolicLink(Path.Combine(root, "deep"), Directory.CreateDirectory(Path.Combine(outside, "sub")).FullName);
        var path = Path.Combine(root, "deep", "..", "sales.csv");
        Assert.Null(Policy(root).Check(path, out var realPath));
        Assert.Equal(Path.Combine(root, "sales.csv"), realPath);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(realPath));
    }

    [Fact]
    public void Should_allow_a_link_that_stays_under_the_root_and_open_its_target()
    {
        var target = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "2026")).FullName, "sales.csv");
        File.WriteAllText(target, "inside too");
        File.CreateSymbolicLink(Path.Combine(root, "latest.csv"), "2026/sales.csv");
        Assert.Null(Policy(root).Check(Path.Combine(root, "latest.csv"), out var realPath));
        Assert.Equal(target, realPath);
    }

    [Fact]
    public void Should_allow_a_file_under_a_root_that_is_itself_a_link()
    {
        var linkedRoot = Path.Combine(folder, "in-link");
        Directory.CreateSymbolicLink(linkedRoot, root);
        Assert.Null(Policy(linkedRoot).Check(Path.Combine(root, "sales.csv"), out _));
        Assert.Null(Policy(root).Check(Path.Combine(linkedRoot, "sales.csv"), out _));
    }

    [Fact]
    public void Should_refuse_links_that_go_round_in_a_loop()
    {
        File.CreateSymbolicLink(Path.Combine(root, "a.csv"), Path.Combine(root, "b.csv"));
        File.CreateSymbolicLink(Path.Combine(root, "b.csv"), Path.Combine(root, "a.csv"));
        Assert.Contains("loop of symbolic links", Policy(root).Check(Path.Combine(root, "a.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_judge_the_folder_before_telling_whether_the_file_exists()
    {
        Assert.Contains("does not exist", Policy(root).Check(Path.Combine(root, "missing.csv"), out _), StringComparison.Ordinal);
        Assert.Contains(Outside, Policy(root).Check(Path.Combine(outside, "missing.csv"), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_anywhere_when_no_root_is_configured()
    {
        Assert.Null(Policy().Check(Path.Combine(outside, "sales.csv"), out _));
    }

    [Fact]
    public void Should_refuse_to_start_without_roots_where_they_are_required()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Registered(rootsRequired: true).Value);
        Assert.Contains("Inputs:AllowedRoots must name at least one folder outside the Development environment", error.Message, StringComparison.Ordinal);
        Assert.Empty(Registered(rootsRequired: false).Value.AllowedRoots);
    }

    static IOptions<InputOptions> Registered(bool rootsRequired) =>
        new ServiceCollection().AddInputPathPolicy(new ConfigurationBuilder().Build(), rootsRequired)
            .BuildServiceProvider().GetRequiredService<IOptions<InputOptions>>();
}
