using MlOps.Pipelines.Specs;
using MlOps.Testing;

namespace MlOps.Pipelines.Tests;

/// <summary>Pipelines the tests share: the Fashion-MNIST example and small hand-made graphs.</summary>
internal static class PipelineExamples
{
    public static string FashionMnistPath => Path.Combine(BuiltBinaries.RepoRoot, "examples", "pipelines", "fashion-mnist.yaml");

    /// <summary>The shipped example with its report step swapped for one that runs a script from a code artifact and reads
    /// two inputs: the graph and cache-key tests were written against that richer step (the shipped one copies a file, so
    /// that the example runs on any agent).</summary>
    public static PipelineSpec FashionMnist()
    {
        var text = File.ReadAllText(FashionMnistPath);
        var start = text.IndexOf("  - name: report", StringComparison.Ordinal);
        var end = text.IndexOf("  - name: register", StringComparison.Ordinal);
        return PipelineYaml.Parse(text[..start] + ReportWithCode + text[end..], Path.GetDirectoryName(FashionMnistPath));
    }

    /// <summary>The example exactly as shipped.</summary>
    public static PipelineSpec ShippedFashionMnist() => PipelineYaml.LoadFile(FashionMnistPath);

    private const string ReportWithCode = """
          - name: report
            kind: command
            inputs:
              model: steps.train.outputs.model
              data: steps.prepare.outputs.dataset
            outputs: [report]
            params:
              command: [python3, per_class_report.py, --model, "${inputs.model}", --data, "${inputs.data}", --out, "${outputs.report}"]
              code: artifact:pipelines/fashion-report@1
              resources: { cpu_cores: 1, memory_mb: 1024 }


        """;

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
