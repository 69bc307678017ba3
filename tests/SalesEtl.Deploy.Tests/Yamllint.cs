using SalesEtl.Deploy.Tests.Support;

namespace SalesEtl.Deploy.Tests;

/// <summary>yamllint (Debian's package) over the deployment YAML, with the repository's .yamllint.yaml.</summary>
public sealed class Yamllint
{
    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData("k8s")]
    [InlineData("samples/kustomization.yaml")]
    [InlineData(".github/workflows/ci.yml")]
    public async Task Should_find_nothing_to_report(string path)
    {
        var yamllint = await Tools.RequireAsync("yamllint");
        var result = await Run.ProcessAsync(yamllint, ["--strict", "--format", "parsable", path]);
        Assert.True(result.ExitCode == 0, result.Describe());
    }
}
