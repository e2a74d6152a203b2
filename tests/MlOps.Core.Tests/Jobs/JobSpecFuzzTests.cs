using System.Text;
using MlOps.Core.Jobs;
using MlOps.Testing;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Core.Tests.Jobs;

/// <summary>
/// Mutation fuzzing of the job spec YAML parser and validator (docs/security.md, "Safe inputs"): whatever the bytes, the only
/// outcomes are a spec or a <see cref="SpecValidationException"/> naming a field; no other exception, no hang, no
/// unbounded allocation. <c>MLOPS_FUZZ_ITERATIONS</c> / <c>MLOPS_FUZZ_SECONDS</c> turn it into a long campaign.
/// </summary>
public sealed class JobSpecFuzzTests(ITestOutputHelper output)
{
    private const string CommandJob = """
        name: copy-step
        owner: alice
        team: vision
        priority: 5
        max_attempts: 3
        command:
          argv: [/bin/cp, "${inputs.src}/a.txt", "${outputs.out}/a.txt"]
          env: {LANG: C.UTF-8, MODE: fast}
          inputs:
            - {name: src, kind: artifact, repository: pipelines/p/ingest, manifest_digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
          outputs: [out]
          output_repository: pipelines/p/copy
          timeout_seconds: 60
        resources: {cpu_cores: 1, memory_mb: 512, gpus: 1, gpu_memory_mb: 1024, gpu_model: a100}
        """;

    private const string BuiltinJob = """
        name: prepare-step
        command:
          builtin: prepare
          inputs:
            - {name: data, kind: dataset, repository: datasets/fashion-mnist, manifest_digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
          outputs: [dataset]
          output_repository: pipelines/p/prepare
          params: {brightness: 0.2, train_fraction: 0.5, invert: true, seed: 7}
        """;

    private const string EveryLayer = """
        name: every-layer
        dataset: {name: fashion-mnist, version: v1, digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
        baseline: fashion-mlp:3
        checkpoint: {every_steps: 100, every_seconds: 60}
        model:
          input_shape: [1, 28, 28]
          layers:
            - conv2d: {out_channels: 8, kernel_size: [3, 3], stride: 1, padding: [1, 1], dilation: 1, groups: 1, no_bias: false}
            - batch_norm2d: {eps: 0.00001, momentum: 0.1}
            - activation: gelu
            - avg_pool2d: {kernel_size: 2, stride: 2, padding: 0}
            - reshape: [8, -1]
            - reshape: {shape: [8, 14, 14]}
            - max_pool2d: 2
            - flatten
            - linear: {out_features: 16, no_bias: true}
            - tanh
            - dropout: {p: 0.5}
            - linear: 10
            - softmax
        hyper_parameters: {optimizer: sgd, learning_rate: 0.1, batch_size: 32, epochs: 2, momentum: 0.9, weight_decay: 0.0001, lr_schedule: constant}
        """;

    private static readonly string[] Vocabulary =
    [
        "name", "owner", "team", "seed", "priority", "max_attempts", "dataset", "model", "hyper_parameters", "resources", "checkpoint",
        "baseline", "command", "input_shape", "layers", "linear", "conv2d", "reshape", "flatten", "softmax", "batch_norm2d", "max_pool2d",
        "kernel_size", "stride", "padding", "dilation", "groups", "out_channels", "out_features", "argv", "env", "inputs", "outputs",
        "builtin", "params", "${inputs.", "${outputs.", ": ", "\n  - ", "\n- ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!int ",
        "? ", "---\n", "...\n", "|\n  ", ">\n  ", "'", "\"", "\\u0000", "\t", "-1", "..", "/", "\0",
    ];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ParseAndValidate_MutatedSpecs_OnlySpecValidationErrors()
    {
        var seeds = ExampleSpecs().Concat([CommandJob, BuiltinJob, EveryLayer]).Select(FuzzInputs.Utf8)
            .Concat(FuzzInputs.HostileYaml(EveryLayer)).ToList();

        var report = FuzzRun.Run("job spec YAML", seeds, ParseAndValidate, new FuzzOptions
        {
            Iterations = 40_000,
            Dictionary = Vocabulary,
            IsExpected = e => e is SpecValidationException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 1_000, report.Summary);
    }

    /// <summary>What the CLI does with a spec file: parse, validate, and (for a training) walk the model's shapes.</summary>
    private static void ParseAndValidate(byte[] input)
    {
        var spec = JobSpecYaml.Parse(Encoding.UTF8.GetString(input));
        JobSpecValidator.EnsureValid(spec);
        if (spec.Model is not null)
        {
            _ = ModelShapes.OutputShape(spec.Model);
        }
    }

    private static IEnumerable<string> ExampleSpecs() =>
        Directory.EnumerateFiles(Path.Combine(BuiltBinaries.RepoRoot, "examples"), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText);
}
