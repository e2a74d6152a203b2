using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Core.Tests.Jobs;

/// <summary>Command jobs (pipeline steps that run on agents): their validation and their YAML form.</summary>
public sealed class CommandJobSpecTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static JobSpec CopySpec() => new()
    {
        Name = "copy-step",
        Command = new CommandSpec
        {
            Argv = { "/bin/cp", "${inputs.src}/a.txt", "${outputs.out}/a.txt" },
            Inputs = { new CommandInput { Name = "src", Kind = "artifact", Repository = "pipelines/p/ingest", ManifestDigest = Digest } },
            Outputs = { "out" },
            OutputRepository = "pipelines/p/copy",
            TimeoutSeconds = 60,
        },
    };

    private static JobSpec PrepareSpec() => new()
    {
        Name = "prepare-step",
        Command = new CommandSpec
        {
            Builtin = BuiltinSteps.Prepare,
            Inputs = { new CommandInput { Name = "data", Kind = "dataset", Repository = "datasets/fashion-mnist", ManifestDigest = Digest } },
            Outputs = { "dataset" },
            OutputRepository = "pipelines/p/prepare",
            Params = { ["brightness"] = "0.2", ["train_fraction"] = "0.5", ["invert"] = "true", ["seed"] = "7" },
        },
    };

    [Fact]
    public void Validate_ArgvCommand_NoErrors()
    {
        Assert.Empty(JobSpecValidator.Validate(CopySpec()));
    }

    [Fact]
    public void Validate_BuiltinPrepare_NoErrors()
    {
        Assert.Empty(JobSpecValidator.Validate(PrepareSpec()));
    }

    [Fact]
    public void Validate_CommandWithTrainingFields_EachNamed()
    {
        var spec = CopySpec();
        spec.Model = new ModelSpec();
        spec.HyperParameters = new HyperParameters();
        spec.Dataset = new DatasetRef { Name = "fashion-mnist" };

        var fields = JobSpecValidator.Validate(spec).Select(e => e.Field).ToList();

        Assert.Equal(["model", "hyper_parameters", "dataset"], fields);
    }

    [Fact]
    public void Validate_NeitherArgvNorBuiltin_Error()
    {
        var spec = CopySpec();
        spec.Command.Argv.Clear();

        var error = Assert.Single(JobSpecValidator.Validate(spec), e => e.Field == "command");
        Assert.Contains("argv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadInputsAndOutputs_AllReported()
    {
        var spec = CopySpec();
        spec.Command.Inputs.Add(new CommandInput { Name = "src", Kind = "blob", Repository = "../etc", ManifestDigest = "md5:1" });
        spec.Command.Outputs.Add("../escape");
        spec.Command.Outputs.Add("out");
        spec.Command.OutputRepository = "Pipelines//X";
        spec.Command.TimeoutSeconds = -1;
        spec.Command.Argv.Add("${inputs.missing}");
        spec.Command.Env["MLOPS_INPUTS"] = "x";

        var fields = JobSpecValidator.Validate(spec).Select(e => e.Field).ToList();

        string[] expected =
        [
            "command.inputs[1].name", "command.inputs[1].kind", "command.inputs[1].repository", "command.inputs[1].manifest_digest",
            "command.outputs[1]", "command.outputs[2]", "command.output_repository", "command.env.MLOPS_INPUTS", "command.argv[3]",
            "command.timeout_seconds",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_UnknownBuiltinAndArgvTogether_Errors()
    {
        var spec = CopySpec();
        spec.Command.Builtin = "train";

        var messages = JobSpecValidator.Validate(spec).Where(e => e.Field == "command.builtin").Select(e => e.Message).ToList();

        Assert.Equal(2, messages.Count);
        Assert.Contains(messages, m => m.Contains("prepare, evaluate", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PrepareWithBadParams_EachParamNamed()
    {
        var spec = PrepareSpec();
        spec.Command.Params["brightness"] = "2";
        spec.Command.Params["train_fraction"] = "1.5";
        spec.Command.Params["invert"] = "maybe";
        spec.Command.Params["seed"] = "-1";
        spec.Command.Params["colour"] = "red";

        var fields = JobSpecValidator.Validate(spec).Select(e => e.Field).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["command.params.brightness", "command.params.colour", "command.params.invert", "command.params.seed", "command.params.train_fraction"], fields);
    }

    [Fact]
    public void Validate_PrepareWithoutDataOrDatasetOutput_Errors()
    {
        var spec = PrepareSpec();
        spec.Command.Inputs[0].Name = "raw";
        spec.Command.Outputs[0] = "other";

        var messages = JobSpecValidator.Validate(spec).Select(e => e.ToString()).ToList();

        Assert.Contains(messages, m => m.Contains("needs an input named 'data'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("needs an output named 'dataset'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EvaluateMinAccuracyOutOfRange_Error()
    {
        var spec = new JobSpec
        {
            Name = "eval",
            Command = new CommandSpec
            {
                Builtin = BuiltinSteps.Evaluate,
                Inputs =
                {
                    new CommandInput { Name = "model", Kind = "model", Repository = "models/m", ManifestDigest = Digest },
                    new CommandInput { Name = "data", Kind = "dataset", Repository = "datasets/d", ManifestDigest = Digest },
                },
                Params = { ["min_accuracy"] = "1.2" },
            },
        };

        var error = Assert.Single(JobSpecValidator.Validate(spec));

        Assert.Equal("command.params.min_accuracy", error.Field);
    }

    [Fact]
    public void ReadPrepare_Params_Parsed()
    {
        var errors = new List<FieldError>();

        var settings = BuiltinSteps.ReadPrepare(PrepareSpec().Command.Params, errors);

        Assert.Empty(errors);
        Assert.Equal(new PrepareSettings(new MlOps.Core.Datasets.DatasetShift(0.2, 1, true), 0.5, 1, false, 7), settings);
    }

    [Fact]
    public void Parse_CommandYaml_AllFieldsRead()
    {
        var spec = JobSpecYaml.Parse($"""
            name: copy-step
            resources: {"{"}cpu_cores: 2{"}"}
            command:
              argv: [/bin/cp, "${"{"}inputs.src{"}"}/a.txt", "${"{"}outputs.out{"}"}/a.txt"]
              env:
                LANG: C.UTF-8
              inputs:
                - name: src
                  kind: artifact
                  repository: pipelines/p/ingest
                  manifest_digest: "{Digest}"
              outputs: [out]
              output_repository: pipelines/p/copy
              timeout_seconds: 60
            """);

        var expected = CopySpec();
        expected.Command.Env["LANG"] = "C.UTF-8";
        expected.Resources = new Resources { CpuCores = 2 };
        Assert.Equal(expected, spec);
        Assert.Empty(JobSpecValidator.Validate(spec));
    }

    [Fact]
    public void Parse_BuiltinWithScalarParams_KeptAsText()
    {
        var spec = JobSpecYaml.Parse($"""
            name: prepare-step
            command:
              builtin: prepare
              inputs: [{"{"}name: data, kind: dataset, repository: datasets/fashion-mnist, manifest_digest: "{Digest}"{"}"}]
              outputs: [dataset]
              output_repository: pipelines/p/prepare
              params: {"{"}brightness: 0.2, train_fraction: 0.5, invert: true, seed: 7{"}"}
            """);

        Assert.Equal(PrepareSpec(), spec);
    }

    [Fact]
    public void Parse_CommandWithUnknownKeyAndBadTypes_EachNamed()
    {
        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse("""
            name: x
            command:
              argv: /bin/true
              timeout_seconds: soon
              shell: bash
              env: [a]
            """));

        var fields = ex.Errors.Select(e => e.Field).ToList();
        Assert.Equal(["command.argv", "command.timeout_seconds", "command.shell", "command.env"], fields);
    }
}
