using MlOps.Contracts;
using MlOps.Pipelines.Planning;

namespace MlOps.Pipelines.Tests.Planning;

public sealed class TrainStepJobTests
{
    [Fact]
    public void Read_FashionMnistWithOverride_JobWithSubstitutedParametersAndNoDataset()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist(), new Dictionary<string, string> { ["epochs"] = "7" });

        var job = TrainStepJob.Read(plan["train"]);

        Assert.Equal("fashion-mlp", job.Name);
        Assert.Equal(7, job.HyperParameters.Epochs);
        Assert.Equal(42, job.Seed);
        Assert.Equal(Optimizer.Adam, job.HyperParameters.Optimizer);
        Assert.True(job.Dataset is null || job.Dataset.Name.Length == 0);
    }

    [Fact]
    public void Read_JobWithoutName_TakesTheStepName()
    {
        var spec = MlOps.Pipelines.Specs.PipelineYaml.Parse("""
            name: p
            steps:
              - name: fit
                kind: train
                inputs: { data: "dataset:tiny@1" }
                outputs: [model]
                params:
                  job:
                    model: { input_shape: [1, 2, 2], layers: [flatten, { linear: 2 }] }
                    hyper_parameters: { optimizer: sgd, learning_rate: 0.1, batch_size: 4, epochs: 1 }
            """);

        Assert.Equal("fit", TrainStepJob.Read(PipelinePlanner.Plan(spec)["fit"]).Name);
    }

    [Fact]
    public void Read_NotATrainStep_Throws()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());

        Assert.Throws<ArgumentException>(() => TrainStepJob.Read(plan["validate"]));
    }
}
