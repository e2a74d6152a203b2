using System.Text;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Pipelines.Tests.Specs;

/// <summary>
/// Mutation fuzzing of what the coordinator does with a submitted pipeline (PipelineGrpcService.RunPipeline): parse the
/// YAML, validate it and plan it with parameter overrides. The only failure allowed is a
/// <see cref="PipelineSpecException"/> listing fields; no other exception, hang or unbounded allocation.
/// </summary>
public sealed class PipelineSpecFuzzTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Overrides = new(StringComparer.Ordinal) { ["epochs"] = "2" };

    private static readonly string[] Vocabulary =
    [
        "name", "description", "parameters", "steps", "kind", "inputs", "outputs", "params", "depends_on", "cache", "job",
        "ingest", "validate", "prepare", "train", "evaluate", "command", "register", "deploy", "steps.", ".outputs.",
        "${parameters.", "${inputs.", "${outputs.", "}", "source", "file:///", "../", "/etc/passwd", "dataset", "model", "format",
        "mnist-idx", ": ", "\n  - ", "\n- ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "? ", "---\n", "'", "\"", "\t", "-1", "\0",
    ];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ParseAndPlan_MutatedPipelines_OnlyPipelineSpecErrors()
    {
        var shipped = File.ReadAllText(PipelineExamples.FashionMnistPath);
        var seeds = new[] { shipped, PipelineExamples.Chain }.Select(FuzzInputs.Utf8).Concat(FuzzInputs.HostileYaml(PipelineExamples.Chain)).ToList();

        var report = FuzzRun.Run("pipeline YAML", seeds, ParseAndPlan, new FuzzOptions
        {
            Iterations = 20_000,
            Dictionary = Vocabulary,
            IsExpected = e => e is PipelineSpecException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    private static void ParseAndPlan(byte[] input)
    {
        var spec = PipelineYaml.Parse(Encoding.UTF8.GetString(input));
        _ = PipelinePlanner.Plan(spec, Overrides);
    }
}
