using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Jobs;

/// <summary>Command jobs (pipeline steps run on agents): accepted without a dataset or model, assigned by resources,
/// completed with their outputs and never registered as a model version.</summary>
public sealed class CommandJobTests
{
    private const string Missing = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static JobSpec PrepareSpec(string datasetDigest, string kind = "dataset") => new()
    {
        Name = "prepare-step",
        Resources = new Resources { CpuCores = 2 },
        Command = new CommandSpec
        {
            Builtin = BuiltinSteps.Prepare,
            Inputs = { new CommandInput { Name = "data", Kind = kind, Repository = "datasets/tiny", ManifestDigest = datasetDigest } },
            Outputs = { "dataset" },
            OutputRepository = "pipelines/nightly/prepare",
            Params = { ["brightness"] = "0.2" },
        },
    };

    [Fact]
    public async Task CommandJob_SubmittedAssignedCompleted_OutputsKeptAndNoModelRegistered()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        using var scratch = new TempDirectory();
        var store = coordinator.Get<IArtifactStore>();
        var datasetDigest = await TestArtifacts.PushDatasetAsync(store, "tiny", scratch.Combine("tiny"));
        var agent = await coordinator.ConnectAsync("a1", cpuCores: 4);

        var job = await coordinator.SubmitAsync(PrepareSpec(datasetDigest));
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var assignment = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        await agent.StartedAsync(job.Id, assignment.Attempt);
        var output = new CommandOutput { Name = "dataset", Repository = "pipelines/nightly/prepare", ManifestDigest = Missing, Bytes = 1234 };
        var result = new JobResult { Outputs = { output } };
        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = job.Id, Attempt = assignment.Attempt, Outcome = JobOutcome.Succeeded, Result = result },
        });

        Assert.Equal(("", "", "", ""), (assignment.DatasetRepository, assignment.DatasetPath, assignment.DatasetDigest, assignment.ModelRepository));
        Assert.Equal(datasetDigest, assignment.Spec.Command.Inputs[0].ManifestDigest);
        var done = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(output, Assert.Single(done.Result.Outputs));
        Assert.Equal(0, done.Result.ModelVersion);
        Assert.Empty(await coordinator.Get<MlOps.Coordinator.Storage.IRegistryStore>().ListModelsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Submit_CommandInputNotInStore_RefusedNamingTheInput()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        var error = await Assert.ThrowsAsync<SpecValidationException>(() => coordinator.SubmitAsync(PrepareSpec(Missing)));

        var field = Assert.Single(error.Errors);
        Assert.Equal("command.inputs[0].manifest_digest", field.Field);
        Assert.Contains("not in the artifact store", field.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_DatasetInputThatIsAModel_RefusedWithItsType()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        using var scratch = new TempDirectory();
        var store = coordinator.Get<IArtifactStore>();
        var (modelDigest, _) = await TestArtifacts.PushModelAsync(store, scratch.Combine("m"), "tiny", "j-1", 0.9);
        var spec = PrepareSpec(modelDigest);
        spec.Command.Inputs[0].Repository = "models/tiny";

        var error = await Assert.ThrowsAsync<SpecValidationException>(() => coordinator.SubmitAsync(spec));

        Assert.Contains("not a dataset", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }
}
