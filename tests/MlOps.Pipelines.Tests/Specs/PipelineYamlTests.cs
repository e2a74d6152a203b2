using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;
using MlOps.Testing;

namespace MlOps.Pipelines.Tests.Specs;

public sealed class PipelineYamlTests
{
    [Fact]
    public void LoadFile_FashionMnistExample_ReadsEveryStep()
    {
        var spec = PipelineExamples.FashionMnist();

        Assert.Equal("fashion-mnist", spec.Name);
        Assert.Equal(["epochs", "learning_rate", "seed", "min_accuracy"], spec.Parameters.Select(p => p.Name));
        Assert.Equal("5", spec.Parameters[0].Default);
        Assert.Equal(
            ["ingest", "validate", "prepare", "train", "evaluate", "report", "register", "deploy"],
            spec.Steps.Select(s => s.Name));
        Assert.Equal(
            ["ingest", "validate", "prepare", "train", "evaluate", "command", "register", "deploy"],
            spec.Steps.Select(s => s.Kind));

        var prepare = spec.Steps[2];
        Assert.Equal([new StepInputSpec("data", "steps.ingest.outputs.dataset")], prepare.Inputs);
        Assert.Equal(["validate"], prepare.DependsOn);
        Assert.Equal("${parameters.seed}", ((ScalarValue)prepare.Params["seed"]!).Text);

        var job = (MapValue)spec.Steps[3].Params["job"]!;
        Assert.Equal(["name", "seed", "model", "hyper_parameters", "resources"], job.Entries.Select(e => e.Key));
        var layers = (ListValue)((MapValue)job["model"]!)["layers"]!;
        Assert.Equal(7, layers.Items.Count);

        var report = spec.Steps[5];
        Assert.Equal(["python3", "per_class_report.py", "--model", "${inputs.model}", "--data", "${inputs.data}", "--out", "${outputs.report}"],
            ((ListValue)report.Params["command"]!).Items.Select(i => ((ScalarValue)i).Text));

        Assert.False(spec.Steps[7].Cache);
        Assert.True(spec.Steps[6].Cache);
    }

    [Fact]
    public void LoadFile_ShippedExample_PlansWithItsCommandStepOnTheEvaluation()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.ShippedFashionMnist());

        Assert.Equal(["evaluate"], plan["report"].Dependencies);
        Assert.Null(plan["report"].Code);
        Assert.Equal(["deploy"], plan["register"].Dependents);
    }

    [Fact]
    public void LoadFile_FashionMnistExample_Plans()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());

        var train = plan["train"];
        Assert.Equal(StepKind.Train, train.Kind);
        Assert.Equal(["prepare"], train.Dependencies);
        Assert.Equal(["evaluate", "report", "register"], train.Dependents);
        var hyper = (MapValue)((MapValue)train.Params["job"]!)["hyper_parameters"]!;
        Assert.Equal("5", ((ScalarValue)hyper["epochs"]!).Text);
        Assert.Equal("0.001", ((ScalarValue)hyper["learning_rate"]!).Text);
        Assert.Equal(new ArtifactReference("artifact", "pipelines/fashion-report", "1"), plan["report"].Code);
    }

    [Fact]
    public void Parse_UnknownKeysAndSemanticErrors_AllReportedAtOnce()
    {
        var yaml = """
            name: test
            colour: blue
            steps:
              - name: a
                kind: command
                outputs: [out]
                params: { command: [x] }
                retries: 3
              - name: b
                kind: command
                inputs: { in: steps.prep.outputs.out }
                params: { command: [y] }
            """;

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        Assert.Equal(["colour", "steps[0].retries", "steps[1].inputs.in"], ex.Errors.Select(e => e.Field));
        Assert.StartsWith("unknown key 'colour'; expected one of: name, description, parameters, steps (line 2)", ex.Errors[0].Message);
        Assert.Equal("unknown step 'prep'", ex.Errors[2].Message);
        Assert.StartsWith("invalid pipeline (3 errors): colour: unknown key", ex.Message);
    }

    [Fact]
    public void Parse_WrongShape_ReportedOnceWithLine()
    {
        var yaml = PipelineExamples.With("""
              - name: a
                kind: [command]
                outputs: out
            """);

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        Assert.Equal(["steps[0].kind", "steps[0].outputs"], ex.Errors.Select(e => e.Field));
        Assert.Equal("must be a text value, got a list (line 5)", ex.Errors[0].Message);
        Assert.Equal("must be a list (line 6)", ex.Errors[1].Message);
    }

    [Theory]
    [InlineData("name: a\nsteps: &s []\nother: *s\n", "aliases (*s) are not supported")]
    [InlineData("name: !!python/object:os.system a\nsteps: []\n", "tags (tag:yaml.org,2002:python/object:os.system) are not supported")]
    [InlineData("name: a\n---\nname: b\n", "more than one YAML document")]
    [InlineData("", "the document is empty")]
    [InlineData("- a\n- b\n", "the top level must be a mapping")]
    [InlineData("name: [a\n", "line ")]
    [InlineData("name: a\nname: b\nsteps: []\n", "Duplicate key")]
    public void Parse_UnsafeOrMalformedYaml_Rejected(string yaml, string expected)
    {
        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("(yaml)", error.Field);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_NestedTooDeep_RejectedBeforeLoading()
    {
        var yaml = "name: a\nsteps: " + new string('[', 10_000) + new string(']', 10_000) + "\n";

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        Assert.Contains($"nested more than {SafeYaml.MaxDepth} levels deep", Assert.Single(ex.Errors).Message);
    }

    [Fact]
    public void Parse_TooLarge_RejectedBeforeParsing()
    {
        var yaml = "name: a\ndescription: " + new string('x', PipelineYaml.MaxBytes) + "\n";

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        Assert.Contains($"a pipeline may be at most {PipelineYaml.MaxBytes} bytes", Assert.Single(ex.Errors).Message);
    }

    [Fact]
    public void Parse_JobPathWithoutFile_AsksForInlineJob()
    {
        var yaml = PipelineExamples.With("""
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: jobs/mlp.yaml }
            """);

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("steps[0].params.job", error.Field);
        Assert.StartsWith("a job file path is read only when the pipeline is loaded from a file", error.Message);
    }

    [Fact]
    public void LoadFile_JobPath_InlinesTheJobFileAndRoundTrips()
    {
        using var dir = new TempDirectory("mlops-pipelines");
        Directory.CreateDirectory(dir.Combine("jobs"));
        File.WriteAllText(dir.Combine("jobs", "mlp.yaml"), """
            name: mlp
            model:
              input_shape: [1, 28, 28]
              layers: [flatten, { linear: 10 }]
            hyper_parameters: { optimizer: sgd, learning_rate: 0.1, batch_size: 32, epochs: 1 }
            """);
        File.WriteAllText(dir.Combine("pipeline.yaml"), PipelineExamples.With("""
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: jobs/mlp.yaml }
            """));

        var spec = PipelineYaml.LoadFile(dir.Combine("pipeline.yaml"));

        var job = Assert.IsType<MapValue>(spec.Steps[0].Params["job"]);
        Assert.Equal("mlp", ((ScalarValue)job["name"]!).Text);

        var again = PipelineYaml.Parse(PipelineYaml.ToYaml(spec));
        Assert.Equal(PipelineYaml.ToYaml(spec), PipelineYaml.ToYaml(again));
    }

    [Fact]
    public void LoadFile_MissingJobFile_NamesTheFile()
    {
        using var dir = new TempDirectory("mlops-pipelines");
        File.WriteAllText(dir.Combine("pipeline.yaml"), PipelineExamples.With("""
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: nowhere.yaml }
            """));

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.LoadFile(dir.Combine("pipeline.yaml")));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("steps[0].params.job", error.Field);
        Assert.StartsWith("job file 'nowhere.yaml' not found", error.Message);
    }

    [Fact]
    public void ToYaml_FashionMnistExample_ParsesBackToTheSamePlan()
    {
        var spec = PipelineExamples.FashionMnist();

        var again = PipelineYaml.Parse(PipelineYaml.ToYaml(spec));

        Assert.Equal(PipelineYaml.ToYaml(spec), PipelineYaml.ToYaml(again));
        Assert.Equal(spec.Steps.Select(s => s.Name), again.Steps.Select(s => s.Name));
        Assert.Equal(spec.Parameters, again.Parameters);
    }

    [Fact]
    public void ToYaml_AwkwardScalars_SurviveTheRoundTrip()
    {
        string[] awkward = ["", " padded ", "true", "~", "null", "a: b", "#not a comment", "- item", "[x", "{y", "multi\nline", "it's \"quoted\"", "é ü 中", "0.050", "*star", "&amp", "!bang", "%pct", "@at", "`tick"];
        var spec = new PipelineSpec
        {
            Name = "awkward",
            Steps =
            [
                new StepSpec
                {
                    Name = "run",
                    Kind = "command",
                    Params = new MapValue([new("command", ListValue.Of(["echo", .. awkward])), new("env", MapValue.Of([.. awkward.Skip(1).Select((v, i) => ($"K{i}", v))]))]),
                },
            ],
        };

        var again = PipelineYaml.Parse(PipelineYaml.ToYaml(spec));

        Assert.Equal(["echo", .. awkward], ((ListValue)again.Steps[0].Params["command"]!).Items.Select(i => ((ScalarValue)i).Text));
        Assert.Equal(awkward.Skip(1), ((MapValue)again.Steps[0].Params["env"]!).Entries.Select(e => ((ScalarValue)e.Value).Text));
    }
}
