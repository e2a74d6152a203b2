using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Core.Tests.Jobs;

public sealed class JobSpecYamlTests
{
    private const string Valid = """
        name: fashion-mlp
        owner: alice
        dataset: fashion-mnist@v1
        seed: 42
        priority: 5
        max_attempts: 2
        model:
          input_shape: [1, 28, 28]
          layers:
            - flatten
            - linear: 256
            - relu
            - dropout: 0.2
            - linear: { out_features: 10, no_bias: false }
            - activation: gelu
        hyper_parameters:
          optimizer: adam
          learning_rate: 0.001
          batch_size: 128
          epochs: 3
          weight_decay: 0.0001
          lr_schedule: cosine
        resources:
          cpu_cores: 2
          memory_mb: 2048
          gpus: 0
        """;

    [Fact]
    public void Parse_TeamAndGpuConstraints_Mapped()
    {
        var spec = JobSpecYaml.Parse(Valid.Replace("owner: alice", "owner: alice\nteam: vision", StringComparison.Ordinal)
            .Replace("  gpus: 0", "  gpus: 2\n  gpu_memory_mb: 40000\n  gpu_model: H100", StringComparison.Ordinal));

        Assert.Equal("vision", spec.Team);
        Assert.Equal(2, spec.Resources.Gpus);
        Assert.Equal(40_000, spec.Resources.GpuMemoryMb);
        Assert.Equal("H100", spec.Resources.GpuModel);
    }

    [Fact]
    public void Parse_FullSpec_MapsEveryField()
    {
        var spec = JobSpecYaml.Parse(Valid);

        Assert.Equal("fashion-mlp", spec.Name);
        Assert.Equal("alice", spec.Owner);
        Assert.Equal("fashion-mnist", spec.Dataset.Name);
        Assert.Equal("v1", spec.Dataset.Version);
        Assert.Equal(42, spec.Seed);
        Assert.Equal(5, spec.Priority);
        Assert.Equal(2, spec.MaxAttempts);
        Assert.Equal([1L, 28, 28], spec.Model.InputShape);
        Assert.Equal(6, spec.Model.Layers.Count);
        Assert.Equal(Layer.KindOneofCase.Flatten, spec.Model.Layers[0].KindCase);
        Assert.Equal(256, spec.Model.Layers[1].Linear.OutFeatures);
        Assert.Equal(Activation.Relu, spec.Model.Layers[2].Activation.Kind);
        Assert.Equal(0.2, spec.Model.Layers[3].Dropout.P);
        Assert.Equal(10, spec.Model.Layers[4].Linear.OutFeatures);
        Assert.Equal(Activation.Gelu, spec.Model.Layers[5].Activation.Kind);
        Assert.Equal(Optimizer.Adam, spec.HyperParameters.Optimizer);
        Assert.Equal(0.001, spec.HyperParameters.LearningRate);
        Assert.Equal(128, spec.HyperParameters.BatchSize);
        Assert.Equal(3, spec.HyperParameters.Epochs);
        Assert.Equal(0.0001, spec.HyperParameters.WeightDecay);
        Assert.Equal(LearningRateSchedule.Cosine, spec.HyperParameters.LrSchedule);
        Assert.Equal(2, spec.Resources.CpuCores);
        Assert.Equal(2048, spec.Resources.MemoryMb);
        Assert.Empty(JobSpecValidator.Validate(spec));
    }

    [Fact]
    public void Parse_UnknownKeys_ReportsEachWithItsPathAndLine()
    {
        var yaml = Valid.Replace("  epochs: 3", "  epoch: 3").Replace("seed: 42", "seed: 42\ncolour: blue");

        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Contains(ex.Errors, e => e.Field == "hyper_parameters.epoch" && e.Message.Contains("unknown key 'epoch'") && e.Message.Contains("epochs"));
        Assert.Contains(ex.Errors, e => e.Field == "colour" && e.Message.Contains("line 5"));
        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void Parse_MalformedYaml_ReportsLineAndColumn()
    {
        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse("name: x\nmodel:\n  a: 1\n b: 2\n"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("(yaml)", error.Field);
        Assert.Contains("line 4", error.Message);
    }

    [Fact]
    public void Parse_UnclosedFlowSequence_IsASpecError()
    {
        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse("name: x\nmodel: [1, 2\nseed: 3\n"));

        Assert.Equal("(yaml)", Assert.Single(ex.Errors).Field);
    }

    [Fact]
    public void Parse_WrongTypes_ReportsEveryField()
    {
        var yaml = Valid.Replace("seed: 42", "seed: forty-two").Replace("batch_size: 128", "batch_size: [1]").Replace("optimizer: adam", "optimizer: rmsprop");

        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Contains(ex.Errors, e => e.Field == "seed" && e.Message.Contains("forty-two"));
        Assert.Contains(ex.Errors, e => e.Field == "hyper_parameters.batch_size" && e.Message.Contains("a list"));
        Assert.Contains(ex.Errors, e => e.Field == "hyper_parameters.optimizer" && e.Message.Contains("rmsprop"));
    }

    [Fact]
    public void Parse_UnknownLayer_NamesItsIndex()
    {
        var yaml = Valid.Replace("- relu", "- softplus").Replace("- dropout: 0.2", "- conv3d: 3");

        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Contains(ex.Errors, e => e.Field == "model.layers[2]" && e.Message.Contains("softplus"));
        Assert.Contains(ex.Errors, e => e.Field == "model.layers[3]" && e.Message.Contains("conv3d"));
    }

    [Fact]
    public void Parse_DuplicateKey_IsAnError()
    {
        var ex = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(Valid + "\nname: again\n"));

        var error = Assert.Single(ex.Errors);
        Assert.Contains("Duplicate key", error.Message);
        Assert.Contains("line 27", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("- a\n- b\n")]
    [InlineData("just text")]
    public void Parse_NotAMapping_IsAnError(string yaml)
    {
        Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));
    }

    [Fact]
    public void Parse_CustomTag_IsNotConstructed()
    {
        // Safe loading: a tag naming a .NET type is only text to us, never instantiated.
        var yaml = Valid.Replace("owner: alice", "owner: !!System.Diagnostics.Process alice");

        var spec = JobSpecYaml.Parse(yaml);

        Assert.Equal("alice", spec.Owner);
    }

    [Fact]
    public void LoadFile_MissingFile_NamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n") + ".yaml");

        var ex = Assert.Throws<FileNotFoundException>(() => JobSpecYaml.LoadFile(path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void LoadFile_ExampleSpecsInRepo_AreValid()
    {
        var examples = Path.Combine(RepoRoot(), "examples");
        var files = Directory.GetFiles(examples, "*.yaml");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var spec = JobSpecYaml.LoadFile(file);
            Assert.Empty(JobSpecValidator.Validate(spec));
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlOps.Cluster.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Parse_Checkpoint_MappedAndBadValuesNamed()
    {
        var spec = JobSpecYaml.Parse(Valid + "\ncheckpoint:\n  every_steps: 200\n  every_seconds: 60\n");
        Assert.Equal(new CheckpointPolicy { EverySteps = 200, EverySeconds = 60 }, spec.Checkpoint);

        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(Valid + "\ncheckpoint:\n  disabled: maybe\n"));
        Assert.Contains(error.Errors, e => e.Field == "checkpoint.disabled");
    }

    [Theory]
    [InlineData("baseline: fashion-mlp:3")]
    [InlineData("baseline:\n  model: fashion-mlp\n  version: 3")]
    public void Parse_Baseline_ShortAndLongFormGiveTheSameVersion(string yaml)
    {
        var spec = JobSpecYaml.Parse(Valid + "\n" + yaml + "\n");

        Assert.Equal(new ModelBaseline { Model = "fashion-mlp", Version = 3 }, spec.Baseline);
    }

    [Fact]
    public void Parse_BaselineWithoutVersion_FieldNamed()
    {
        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(Valid + "\nbaseline: fashion-mlp\n"));

        Assert.Contains(error.Errors, e => e.Field == "baseline" && e.Message.Contains("MODEL:VERSION", StringComparison.Ordinal));
    }
}
