using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Tests.Specs;

public sealed class PipelineValidatorTests
{
    private const string Ingest = """
          - name: ingest
            kind: ingest
            outputs: [dataset]
            params: { source: "file:///data", dataset: fashion-mnist }

        """;

    public static TheoryData<string, string, string> Problems => new()
    {
        {
            Ingest + """
              - name: train
                kind: train
                inputs: { data: steps.prep.outputs.dataset }
                outputs: [model]
                params: { job: { model: { input_shape: [4], layers: [{ linear: 2 }] }, hyper_parameters: { optimizer: sgd, epochs: 1, batch_size: 8, learning_rate: 0.1 } } }
            """,
            "steps[1].inputs.data", "unknown step 'prep'"
        },
        {
            Ingest + """
              - name: validate
                kind: validate
                inputs: { data: steps.ingest.outputs.data }
            """,
            "steps[1].inputs.data", "step 'ingest' has no output 'data'; it declares: dataset"
        },
        {
            Ingest + """
              - name: validate
                kind: validate
                inputs: { data: steps.validate.outputs.report }
                outputs: [report]
            """,
            "steps[1].inputs.data", "a step cannot use its own outputs"
        },
        {
            Ingest + """
              - name: validate
                kind: validate
                inputs: { data: steps.ingest.dataset }
            """,
            "steps[1].inputs.data", "'steps.ingest.dataset' must have the form steps.STEP.outputs.NAME"
        },
        {
            Ingest + Ingest,
            "steps[1].name", "'ingest' is already the name of steps[0]"
        },
        {
            """
              - name: Ingest_1
                kind: command
                params: { command: [x] }
            """,
            "steps[0].name", "must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit"
        },
        {
            """
              - kind: command
                params: { command: [x] }
            """,
            "steps[0].name", "is required"
        },
        {
            """
              - name: a
                kind: trian
            """,
            "steps[0].kind", "unknown kind 'trian'; expected one of: ingest, validate, prepare, train, evaluate, register, deploy, command"
        },
        {
            """
              - name: check
                kind: validate
                inputs: { data: "dataset:fashion-mnist@${parameters.version}" }
            """,
            "steps[0].inputs.data", "unknown parameter 'version': the pipeline declares no parameters"
        },
        {
            """
              - name: check
                kind: validate
                inputs: { data: "dataset:Fashion@1" }
            """,
            "steps[0].inputs.data", "'dataset:Fashion@1' has an invalid name 'Fashion': lowercase components of letters and digits joined by '.', '_' or '-', separated by '/'"
        },
        {
            """
              - name: check
                kind: validate
                inputs: { data: "table:fashion" }
            """,
            "steps[0].inputs.data", "'table:fashion' names an unknown artifact type 'table'; expected one of: dataset, model, artifact"
        },
        {
            """
              - name: check
                kind: validate
            """,
            "steps[0].inputs", "a validate step needs an input named 'data'"
        },
        {
            """
              - name: ingest
                kind: ingest
                params: { dataset: fashion-mnist }
            """,
            "steps[0].params.source", "is required for an ingest step"
        },
        {
            """
              - name: ingest
                kind: ingest
                params: { source: x, dataset: y, colour: blue }
            """,
            "steps[0].params.colour", "unknown key 'colour' for an ingest step; expected one of: source, dataset, format, description"
        },
        {
            """
              - name: deploy
                kind: deploy
                inputs: { model: "model:fashion-mlp@3" }
                params: { replicas: 100 }
            """,
            "steps[0].params.replicas", "must be a whole number from 1 to 64, got '100'"
        },
        {
            """
              - name: prep
                kind: prepare
                inputs: { data: "dataset:fashion-mnist" }
                params: { seed: "${parameters.seed}" }
            """,
            "steps[0].params.seed", "unknown parameter 'seed': the pipeline declares no parameters"
        },
        {
            """
              - name: prep
                kind: prepare
                inputs: { data: "dataset:fashion-mnist" }
                params: { dataset: "x-${inputs.data}" }
            """,
            "steps[0].params.dataset", "'${inputs.data}' is only allowed in the params of command steps"
        },
        {
            """
              - name: run
                kind: command
                params: { command: [x, "${outputs.result}"] }
            """,
            "steps[0].params.command[1]", "'${outputs.result}': the step declares no output 'result'"
        },
        {
            """
              - name: run
                kind: command
                params: { command: ["echo ${HOME}"] }
            """,
            "steps[0].params.command[0]", "unknown expression '${HOME}'; expected ${parameters.NAME}, ${inputs.NAME} or ${outputs.NAME} (write $${ for a literal ${)"
        },
        {
            """
              - name: run
                kind: command
                params: { env: { A: b } }
            """,
            "steps[0].params.command", "is required for a command step"
        },
        {
            """
              - name: run
                kind: command
                params: { command: [], resources: { gpus: 1 } }
            """,
            "steps[0].params.command", "must name the program to run: a list whose first item is the executable, e.g. [python3, prepare.py]"
        },
        {
            """
              - name: run
                kind: command
                params: { command: [x], resources: { cores: 1 } }
            """,
            "steps[0].params.resources.cores", "unknown key 'cores' for resources; expected one of: cpu_cores, memory_mb, gpus, gpu_memory_mb, gpu_model"
        },
        {
            """
              - name: run
                kind: command
                params: { command: [x], code: "scripts@1" }
            """,
            "steps[0].params.code", "'scripts@1' is not a reference: expected steps.STEP.outputs.NAME or TYPE:NAME[@VERSION] (TYPE: dataset, model, artifact)"
        },
        {
            """
              - name: a
                kind: command
                depends_on: [b]
                params: { command: [x] }
            """,
            "steps[0].depends_on[0]", "unknown step 'b'"
        },
        {
            """
              - name: a
                kind: command
                depends_on: [a]
                params: { command: [x] }
            """,
            "steps[0].depends_on[0]", "a step cannot depend on itself"
        },
        {
            """
              - name: a
                kind: command
                outputs: [out, out]
                params: { command: [x] }
            """,
            "steps[0].outputs[1]", "'out' is listed twice"
        },
        {
            """
              - name: eval
                kind: evaluate
                inputs: { model: "model:m@1", data: "dataset:d@1" }
                params: { min_accuracy: high }
            """,
            "steps[0].params.min_accuracy", "must be a number from 0 to 1, got 'high'"
        },
        {
            """
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: { model: { input_shape: [4], layers: [{ linear: 2 }] }, hyper_parameters: { optimizer: sgd, epochs: 0, batch_size: 8, learning_rate: 0.1 } } }
            """,
            "steps[0].params.job.hyper_parameters.epochs", "must be between 1 and 10000"
        },
        {
            """
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: { model: { input_shape: [4], layers: [{ linear: 2 }] }, hyper_parameters: { epochs: many } } }
            """,
            "steps[0].params.job.hyper_parameters.epochs", "must be a whole number between -2147483648 and 2147483647, got 'many'"
        },
        {
            """
              - name: train
                kind: train
                inputs: { data: "dataset:fashion-mnist@1" }
                outputs: [model]
                params: { job: { dataset: fashion-mnist, model: { input_shape: [4], layers: [{ linear: 2 }] }, hyper_parameters: { optimizer: sgd, epochs: 1, batch_size: 8, learning_rate: 0.1 } } }
            """,
            "steps[0].params.job.dataset", "the dataset comes from the step's input 'data'; leave it out of the job"
        },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Parse_OneProblem_ReportedWithItsFieldPath(string steps, string field, string message)
    {
        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(PipelineExamples.With(steps)));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Validate_ManyProblems_AllReportedInDocumentOrder()
    {
        var spec = new PipelineSpec
        {
            Name = "Bad Name",
            Parameters = [new PipelineParameter("epochs", "3"), new PipelineParameter("epochs", "4")],
            Steps =
            [
                new StepSpec { Name = "a", Kind = "ingest" },
                new StepSpec { Name = "a", Kind = "nope", DependsOn = ["zzz"] },
            ],
        };

        var errors = PipelineValidator.Validate(spec);

        Assert.Equal(
            ["name", "parameters.epochs", "steps[1].name", "steps[1].kind", "steps[0].params.source", "steps[0].params.dataset", "steps[1].depends_on[0]"],
            errors.Select(e => e.Field));
    }

    [Fact]
    public void Validate_NoSteps_Required()
    {
        var errors = PipelineValidator.Validate(new PipelineSpec { Name = "empty" });

        var error = Assert.Single(errors);
        Assert.Equal(("steps", "at least one step is required"), (error.Field, error.Message));
    }

    [Fact]
    public void Validate_OverrideOfUndeclaredParameter_Reported()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.Chain);

        var errors = PipelineValidator.Validate(spec, new Dictionary<string, string> { ["b_flag"] = "two", ["epochs"] = "3" });

        var error = Assert.Single(errors);
        Assert.Equal("parameters.epochs", error.Field);
        Assert.Equal("was given for this run, but the pipeline declares no such parameter; declared: b_flag", error.Message);
    }

    [Fact]
    public void Validate_OverrideThatBreaksAParam_ReportedAtTheParam()
    {
        var spec = PipelineExamples.FashionMnist();

        var errors = PipelineValidator.Validate(spec, new Dictionary<string, string> { ["epochs"] = "0", ["seed"] = "-1" });

        Assert.Equal(
            ["steps[2].params.seed", "steps[3].params.job.hyper_parameters.epochs", "steps[3].params.job.seed"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }
}
