using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Tests.Planning;

public sealed class PipelinePlannerTests
{
    [Fact]
    public void Plan_FashionMnist_TopologicalOrderAndLevels()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());

        Assert.Equal(
            ["ingest", "validate", "prepare", "train", "evaluate", "report", "register", "deploy"],
            plan.Steps.Select(s => s.Name));
        Assert.Equal(
            [["ingest"], ["validate"], ["prepare"], ["train"], ["evaluate", "report"], ["register"], ["deploy"]],
            plan.Levels);
        Assert.Equal(["validate", "ingest"], plan["prepare"].Dependencies.Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(["evaluate", "report", "register", "deploy"], plan.Downstream("train"));
    }

    [Fact]
    public void Plan_ReadyTogether_DeclarationOrderBreaksTies()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.With("""
              - name: train
                kind: command
                depends_on: [prep]
                params: { command: [t] }
              - name: prep
                kind: command
                params: { command: [p] }
              - name: docs
                kind: command
                params: { command: [d] }
            """));

        var plan = PipelinePlanner.Plan(spec);

        // prep and docs are ready at first (prep declared first); once prep is done, train (declared first of all)
        // comes before docs.
        Assert.Equal(["prep", "train", "docs"], plan.Steps.Select(s => s.Name));
        Assert.Equal([["prep", "docs"], ["train"]], plan.Levels);
        Assert.Equal(0, plan["train"].DeclarationIndex);
    }

    [Fact]
    public void Plan_Cycles_EachNamedOnceAtItsFirstStep()
    {
        var spec = new PipelineSpec
        {
            Name = "cycles",
            Steps =
            [
                Command("ok"),
                Command("a", inputs: [new("in", "steps.c.outputs.out")]),
                Command("b", inputs: [new("in", "steps.a.outputs.out")]),
                Command("c", dependsOn: ["b"]),
                Command("x", dependsOn: ["y", "ok"]),
                Command("y", dependsOn: ["x"]),
            ],
        };

        var ex = Assert.Throws<PipelineSpecException>(() => PipelinePlanner.Plan(spec));

        Assert.Equal(["steps[1]", "steps[4]"], ex.Errors.Select(e => e.Field));
        Assert.Equal("dependency cycle: a -> b -> c -> a (each step needs the one before it)", ex.Errors[0].Message);
        Assert.Equal("dependency cycle: x -> y -> x (each step needs the one before it)", ex.Errors[1].Message);
    }

    [Fact]
    public void Plan_CycleInYaml_ReportedWithPath()
    {
        var yaml = PipelineExamples.With("""
              - name: prepare
                kind: prepare
                inputs: { data: steps.train.outputs.model }
                outputs: [dataset]
              - name: train
                kind: train
                inputs: { data: steps.prepare.outputs.dataset }
                outputs: [model]
                params: { job: { model: { input_shape: [4], layers: [{ linear: 2 }] }, hyper_parameters: { optimizer: sgd, epochs: 1, batch_size: 8, learning_rate: 0.1 } } }
            """);

        var ex = Assert.Throws<PipelineSpecException>(() => PipelineYaml.Parse(yaml));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("steps[0]", error.Field);
        Assert.Equal("dependency cycle: prepare -> train -> prepare (each step needs the one before it)", error.Message);
    }

    [Fact]
    public void Plan_Overrides_SubstitutedIntoParamsAndInputs()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.With("""
              - name: check
                kind: validate
                inputs: { data: "dataset:fashion-mnist@${parameters.version}" }
                params: { min_examples: "${parameters.min}", checks: ["at-least-${parameters.min}"] }
            """, "parameters: { version: '1', min: '10' }"));

        var plan = PipelinePlanner.Plan(spec, new Dictionary<string, string> { ["version"] = "7" });

        var step = plan["check"];
        Assert.Equal(new ArtifactReference("dataset", "fashion-mnist", "7"), Assert.Single(step.Inputs).Source);
        Assert.Equal("10", ((ScalarValue)step.Params["min_examples"]!).Text);
        Assert.Equal("at-least-10", ((ScalarValue)((ListValue)step.Params["checks"]!).Items[0]).Text);
        Assert.Equal(new Dictionary<string, string> { ["version"] = "7", ["min"] = "10" }, plan.Parameters);
    }

    [Fact]
    public void Plan_EscapedExpression_BecomesLiteral()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.With("""
              - name: run
                kind: command
                inputs: { data: "dataset:d@1" }
                params: { command: [sh, -c, "echo $${HOME} ${inputs.data}"] }
            """));

        var plan = PipelinePlanner.Plan(spec);

        Assert.Equal("echo ${HOME} ${inputs.data}", ((ScalarValue)((ListValue)plan["run"].Params["command"]!).Items[2]).Text);
    }

    private static StepSpec Command(string name, IReadOnlyList<StepInputSpec>? inputs = null, IReadOnlyList<string>? dependsOn = null) => new()
    {
        Name = name,
        Kind = "command",
        Inputs = inputs ?? [],
        Outputs = ["out"],
        DependsOn = dependsOn ?? [],
        Params = new MapValue([new("command", ListValue.Of("run"))]),
    };
}
