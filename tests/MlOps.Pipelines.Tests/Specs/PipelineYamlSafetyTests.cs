using MlOps.Pipelines.Specs;
using MlOps.Testing.Fuzzing;

namespace MlOps.Pipelines.Tests.Specs;

/// <summary>Safe loading of pipelines (the coordinator parses what any client sends): hostile documents are a
/// <see cref="PipelineSpecException"/> on "(yaml)", never another exception.</summary>
public sealed class PipelineYamlSafetyTests
{
    [Theory]
    [InlineData("  e: 8\n  s:\n  2: !!]")] // a tag that is not a URI: YamlDotNet threw ArgumentException (found by fuzzing)
    [InlineData(": v\n:\n i:\n s:\n    - c\n    - : 0")] // an event its loader does not expect: ArgumentException too
    public void Parse_InputsThatMadeYamlDotNetThrowArgumentException_PipelineSpecError(string yaml)
    {
        var error = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        Assert.Equal("(yaml)", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public void Parse_AliasBomb_RefusedBeforeExpansion()
    {
        var error = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(FuzzInputs.YamlAliasBomb(use: "name: *l8\n")));

        Assert.Contains("aliases", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TypeTag_Refused()
    {
        var error = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse("name: !!System.Diagnostics.Process x\nsteps: []\n"));

        Assert.Contains("tags", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepFlowNesting_RefusedNotAStackOverflow()
    {
        var error = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse("name: " + FuzzInputs.Nested(200_000)));

        Assert.Contains("nested more than", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }
}
