using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Core.Tests.Jobs;

public sealed class JobSpecValidatorTests
{
    private static JobSpec ValidSpec() => new()
    {
        Name = "mlp",
        Dataset = new DatasetRef { Name = "fashion-mnist" },
        Model = new ModelSpec
        {
            InputShape = { 1, 28, 28 },
            Layers =
            {
                new Layer { Flatten = new FlattenLayer() },
                new Layer { Linear = new LinearLayer { OutFeatures = 64 } },
                new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
                new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
            },
        },
        HyperParameters = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 32, Epochs = 2 },
    };

    [Fact]
    public void Validate_ValidSpec_NoErrors()
    {
        Assert.Empty(JobSpecValidator.Validate(ValidSpec()));
    }

    [Fact]
    public void Validate_ManyBadFields_ReportsAllAtOnce()
    {
        var spec = ValidSpec();
        spec.Name = "Bad Name!";
        spec.HyperParameters.Epochs = -3;
        spec.HyperParameters.BatchSize = 0;
        spec.HyperParameters.LearningRate = double.NaN;
        spec.Seed = -1;
        spec.Resources = new Resources { CpuCores = -2, Gpus = 100 };

        var fields = JobSpecValidator.Validate(spec).Select(e => e.Field).ToHashSet();

        string[] expected = ["name", "hyper_parameters.epochs", "hyper_parameters.batch_size", "hyper_parameters.learning_rate", "seed", "resources.cpu_cores", "resources.gpus"];
        Assert.Equal(expected.Order(), fields.Order());
        Assert.Equal(7, fields.Count);
    }

    [Fact]
    public void Validate_GpuConstraintsWithoutGpusAndBadTeam_EachNamed()
    {
        var spec = ValidSpec();
        spec.Team = "Vision Team";
        spec.Resources = new Resources { Gpus = 0, GpuMemoryMb = 40_000, GpuModel = "H100" };

        var fields = JobSpecValidator.Validate(spec).Select(e => e.Field).ToList();

        Assert.Equal(["resources.gpu_memory_mb", "resources.gpu_model", "team"], fields);
    }

    [Fact]
    public void Validate_NegativeEpochs_NamesTheFieldAndValue()
    {
        var spec = ValidSpec();
        spec.HyperParameters.Epochs = -1;

        var error = Assert.Single(JobSpecValidator.Validate(spec));

        Assert.Equal("hyper_parameters.epochs", error.Field);
        Assert.Contains("-1", error.Message);
    }

    [Fact]
    public void Validate_LinearOnImageWithoutFlatten_SuggestsFlatten()
    {
        var spec = ValidSpec();
        spec.Model.Layers.RemoveAt(0);

        var error = Assert.Single(JobSpecValidator.Validate(spec));

        Assert.Equal("model.layers[0].linear", error.Field);
        Assert.Contains("flatten", error.Message);
    }

    [Fact]
    public void Validate_MissingSections_ReportsEach()
    {
        var errors = JobSpecValidator.Validate(new JobSpec());
        var fields = errors.Select(e => e.Field).ToList();

        Assert.Contains("name", fields);
        Assert.Contains("dataset.name", fields);
        Assert.Contains("model", fields);
        Assert.Contains("hyper_parameters", fields);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Validate_DropoutOutOfRange_NamesLayer(double p)
    {
        var spec = ValidSpec();
        spec.Model.Layers.Insert(2, new Layer { Dropout = new DropoutLayer { P = p } });

        var error = Assert.Single(JobSpecValidator.Validate(spec));

        Assert.Equal("model.layers[2].dropout.p", error.Field);
    }

    [Fact]
    public void Validate_MomentumWithAdam_IsRejected()
    {
        var spec = ValidSpec();
        spec.HyperParameters.Momentum = 0.9;

        Assert.Equal("hyper_parameters.momentum", Assert.Single(JobSpecValidator.Validate(spec)).Field);
    }

    [Fact]
    public void Validate_BadDatasetDigest_IsRejected()
    {
        var spec = ValidSpec();
        spec.Dataset.Digest = "md5:abc";

        Assert.Equal("dataset.digest", Assert.Single(JobSpecValidator.Validate(spec)).Field);
    }

    [Fact]
    public void OutputShape_Mlp_IsClassCount()
    {
        Assert.Equal([10L], ModelShapes.OutputShape(ValidSpec().Model)!);
    }

    [Theory]
    [InlineData(-1, 0, false, "checkpoint.every_steps")]
    [InlineData(0, -5, false, "checkpoint.every_seconds")]
    [InlineData(0, 5, false, "checkpoint.every_seconds")]
    [InlineData(100, 0, true, "checkpoint.disabled")]
    public void Validate_BadCheckpointPolicy_NamesTheField(long everySteps, int everySeconds, bool disabled, string field)
    {
        var spec = ValidSpec();
        spec.Checkpoint = new CheckpointPolicy { EverySteps = everySteps, EverySeconds = everySeconds, Disabled = disabled };

        Assert.Equal(field, Assert.Single(JobSpecValidator.Validate(spec)).Field);
    }

    [Fact]
    public void Validate_CheckpointEveryStepsAndSeconds_Valid()
    {
        var spec = ValidSpec();
        spec.Checkpoint = new CheckpointPolicy { EverySteps = 500, EverySeconds = 300 };

        Assert.Empty(JobSpecValidator.Validate(spec));
    }
}
