using MlOps.Pipelines.Specs;
using MlOps.Testing;

namespace MlOps.Pipelines.Tests;

/// <summary>Pipelines the tests share: the Fashion-MNIST example and small hand-made graphs.</summary>
internal static class PipelineExamples
{
    public static string FashionMnistPath => Path.Combine(BuiltBinaries.RepoRoot, "examples", "pipelines", "fashion-mnist.yaml");

    public static PipelineSpec FashionMnist() => PipelineYaml.LoadFile(FashionMnistPath);

    /// <summary>a → b → c, plus d on its own; b has a parameter, all are command steps.</summary>
    public const string Chain = """
        name: chain
        parameters:
          b_flag: one
        steps:
          - name: a
            kind: command
            outputs: [out]
            params: { command: [run-a] }
          - name: b
            kind: command
            inputs: { in: steps.a.outputs.out }
            outputs: [out]
            params: { command: [run-b, "${parameters.b_flag}"] }
          - name: c
            kind: command
            inputs: { in: steps.b.outputs.out }
            outputs: [out]
            params: { command: [run-c] }
          - name: d
            kind: command
            outputs: [out]
            params: { command: [run-d] }
        """;

    /// <summary>A minimal valid step list around <paramref name="steps"/> (YAML, indented as list items).</summary>
    public static string With(string steps, string parameters = "") => $"""
        name: test
        {parameters}
        steps:
        {steps}
        """;

    /// <summary><paramref name="count"/> independent command steps s0, s1, ...</summary>
    public static string Independent(int count) =>
        "name: wide\nsteps:\n" + string.Concat(Enumerable.Range(0, count).Select(i =>
            $"  - name: s{i}\n    kind: command\n    outputs: [out]\n    params: {{ command: [run-{i}] }}\n"));
}
