using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Agent.Tests.Worker;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>Command jobs (pipeline steps) through the supervisor: inputs fetched from a local artifact store, real programs
/// (no shell) and the agent's own <c>step</c> child, outputs pushed back and reported.</summary>
[Trait("Category", "Integration")]
public sealed class JobSupervisorCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new("mlops-supervisor-command");
    private readonly IArtifactStore _store;
    private readonly RecordingOutbox _outbox = new();

    public JobSupervisorCommandTests() => _store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));

    [Fact]
    public async Task Start_CopyCommand_OutputPushedAndItsDigestReported()
    {
        var input = await PushFileArtifactAsync("pipelines/p/ingest", "hello.txt", "hello, pipeline\n");
        await using var supervisor = Supervisor();
        var assignment = Command("j-copy", ["/bin/cp", "${inputs.src}/hello.txt", "${outputs.out}/copy.txt"], input);

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-copy");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var output = Assert.Single(completed.Result.Outputs);
        Assert.Equal(("out", "pipelines/p/copy", 16L), (output.Name, output.Repository, output.Bytes));
        var manifest = OciManifest.Parse((await _store.GetManifestAsync(output.Repository, output.ManifestDigest)).Bytes, "test");
        Assert.Equal(CommandOutputs.ArtifactType, manifest.ArtifactType);
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal("copy.txt", layer.Annotations![OciAnnotations.Title]);
        var copied = await _store.ReadBlobBytesAsync(output.Repository, layer, 1024);
        Assert.Equal("hello, pipeline\n", Encoding.UTF8.GetString(copied));
        Assert.Equal(output.ManifestDigest, (await _store.GetManifestAsync(output.Repository, "out")).Digest);
    }

    [Fact]
    public async Task Start_EnvCommand_SubstitutedEnvironmentAndStdoutAsLogLines()
    {
        var input = await PushFileArtifactAsync("pipelines/p/ingest", "a.txt", "a");
        await using var supervisor = Supervisor();
        var assignment = Command("j-env", ["/usr/bin/env"], input);
        assignment.Spec.Command.Env["TARGET"] = "${outputs.out}/x";

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-env");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var work = _temp.Combine("agent", "jobs", "j-env", "attempt-1");
        Assert.Contains($"TARGET={Path.Combine(work, "outputs", "out")}/x", _outbox.LogLines);
        Assert.Contains($"MLOPS_INPUTS={Path.Combine(work, "inputs")}", _outbox.LogLines);
        Assert.Contains($"MLOPS_OUTPUTS={Path.Combine(work, "outputs")}", _outbox.LogLines);
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Combine(work, "inputs", "src", "a.txt")));
    }

    [Fact]
    public async Task Start_FailingCommand_FailedWithExitCodeAndStderrTailAndNothingPushed()
    {
        var input = await PushFileArtifactAsync("pipelines/p/ingest", "a.txt", "a");
        await using var supervisor = Supervisor();

        supervisor.Start(Command("j-fail", ["/bin/ls", "/no/such/path"], input));
        var completed = await CompletedAsync("j-fail");

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Equal(2, completed.ExitCode);
        Assert.StartsWith("command failed (exit code 2): ", completed.Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/path", completed.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListTagsAsync("pipelines/p/copy"));
    }

    [Fact]
    public async Task Start_ProgramNotFound_FailedSayingItCouldNotStart()
    {
        await using var supervisor = Supervisor();

        supervisor.Start(Command("j-noprog", ["/no/such/program"]));
        var completed = await CompletedAsync("j-noprog");

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.StartsWith("could not start the command: ", completed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MissingInput_FailedNamingTheInput()
    {
        await using var supervisor = Supervisor();
        var input = new CommandInput { Name = "src", Kind = "artifact", Repository = "pipelines/p/ingest", ManifestDigest = "sha256:" + new string('e', 64) };

        supervisor.Start(Command("j-noinput", ["/bin/true"], input));
        var completed = await CompletedAsync("j-noinput");

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.StartsWith("could not fetch input 'src' (artifact pipelines/p/ingest@sha256:eeee", completed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_RunningCommand_KilledAndCancelled()
    {
        var input = await PushFileArtifactAsync("pipelines/p/ingest", "a.txt", "a");
        await using var supervisor = Supervisor();
        supervisor.Start(Command("j-sleep", ["/bin/sleep", "60"], input));
        await TinyAssignments.WaitForAsync(() => _outbox.Messages.Any(m => m.Started?.JobId == "j-sleep"), Patience);
        var started = DateTime.UtcNow;

        supervisor.Cancel("j-sleep", 1, "test");
        var completed = await CompletedAsync("j-sleep");

        Assert.Equal(JobOutcome.Cancelled, completed.Outcome);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Start_CommandPastItsTimeout_KilledAndFailed()
    {
        var input = await PushFileArtifactAsync("pipelines/p/ingest", "a.txt", "a");
        await using var supervisor = Supervisor();
        var assignment = Command("j-slow", ["/bin/sleep", "60"], input);
        assignment.Spec.Command.TimeoutSeconds = 1;

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-slow");

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.StartsWith("timed out after 1 s: killed", completed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendLeaseAsync_PlainCommandLeaseRunsOut_AgentKillsIt()
    {
        var workspace = CommandWorkspace.At(_temp.Combine("lease"));
        var assignment = Command("j-lease", ["/bin/sleep", "60"]);
        await workspace.PrepareAsync(_store, assignment.Spec.Command, CancellationToken.None);
        await using var process = JobProcess.StartCommand(assignment, workspace, _outbox, TimeProvider.System, 16);

        await process.SendLeaseAsync(TimeSpan.FromMilliseconds(300));
        var completed = await process.WaitAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Contains("lease with the coordinator ran out", completed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BuiltinPrepare_PushesALoadableShiftedDataset()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 40, 20);
        var files = MnistFormat.FileNames.Select(f => _temp.Combine("data", f)).ToList();
        var digest = await _store.PushDatasetAsync("datasets/tiny", "v1", "tiny", files);
        await using var supervisor = Supervisor();
        var assignment = Builtin("j-prep", BuiltinSteps.Prepare,
            [new CommandInput { Name = "data", Kind = "dataset", Repository = "datasets/tiny", ManifestDigest = digest }], ["dataset"]);
        assignment.Spec.Command.Params.Add(new Dictionary<string, string> { ["brightness"] = "0.2", ["train_fraction"] = "0.5", ["seed"] = "3" });

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-prep");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var output = Assert.Single(completed.Result.Outputs);
        var pulled = await _store.PullDatasetAsync(output.Repository, output.ManifestDigest, _temp.Combine("pulled"));
        var shifted = MnistFormat.Load(pulled.Directory);
        var original = MnistFormat.Load(_temp.Combine("data"));
        var shift = new DatasetShift(0.2);
        Assert.Equal(shift.Apply(original.Train, 0.5, false, 3).Pixels, shifted.Train.Pixels);
        Assert.Equal(shift.Apply(original.Test, 1, false, 4).Pixels, shifted.Test.Pixels);
        Assert.Equal(20, completed.Result.Metrics["shifted_train_images"]);
    }

    [Fact]
    public async Task Start_BuiltinEvaluate_ReportsAccuracyAndWritesMetricsJson()
    {
        var (model, data) = await PushModelAndDataAsync(knownClasses: 10);
        await using var supervisor = Supervisor();

        supervisor.Start(Builtin("j-eval", BuiltinSteps.Evaluate, [model, data], ["metrics"]));
        var completed = await CompletedAsync("j-eval");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        Assert.Equal(1.0, completed.Result.Metrics["accuracy"]);
        Assert.Equal(50, completed.Result.Metrics["test_samples"]);
        Assert.Contains(_outbox.Messages, m => m.Metrics?.Metrics.Values.ContainsKey("accuracy") == true);
        var output = Assert.Single(completed.Result.Outputs);
        var layer = Assert.Single(OciManifest.Parse((await _store.GetManifestAsync(output.Repository, output.ManifestDigest)).Bytes, "test").Layers);
        Assert.Equal("metrics.json", layer.Annotations![OciAnnotations.Title]);
        Assert.Contains("\"accuracy\": 1", Encoding.UTF8.GetString(await _store.ReadBlobBytesAsync(output.Repository, layer, 4096)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BuiltinEvaluateBelowMinAccuracy_FailsWithTheNumbers()
    {
        var (model, data) = await PushModelAndDataAsync(knownClasses: 5);
        await using var supervisor = Supervisor();
        var assignment = Builtin("j-eval-low", BuiltinSteps.Evaluate, [model, data], []);
        assignment.Spec.Command.Params["min_accuracy"] = "0.9";

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-eval-low");

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Equal(1, completed.ExitCode);
        Assert.Contains("is below min_accuracy 0.9000", completed.Message, StringComparison.Ordinal);
        Assert.Contains(_outbox.Messages, m => m.Metrics?.Metrics.Values["accuracy"] < 0.9);
    }

    public void Dispose() => _temp.Dispose();

    private JobSupervisor Supervisor()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Combine("agent") });
        var ledger = new AttemptLedger(_temp.Combine("agent"), TimeProvider.System, NullLogger<AttemptLedger>.Instance);
        return new JobSupervisor(_outbox, options, _store, ledger, TimeProvider.System, NullLogger<JobSupervisor>.Instance);
    }

    private static JobAssignment Command(string jobId, string[] argv, params CommandInput[] inputs)
    {
        var command = new CommandSpec { Argv = { argv }, Outputs = { "out" }, OutputRepository = "pipelines/p/copy" };
        command.Inputs.AddRange(inputs);
        return new JobAssignment { JobId = jobId, Attempt = 1, Spec = new JobSpec { Name = "step", Command = command } };
    }

    private static JobAssignment Builtin(string jobId, string builtin, CommandInput[] inputs, string[] outputs)
    {
        var command = new CommandSpec { Builtin = builtin, OutputRepository = "pipelines/p/" + builtin };
        command.Inputs.AddRange(inputs);
        command.Outputs.AddRange(outputs);
        return new JobAssignment { JobId = jobId, Attempt = 1, Spec = new JobSpec { Name = "step", Command = command, Resources = new Resources { CpuCores = 1 } } };
    }

    private async Task<CommandInput> PushFileArtifactAsync(string repository, string fileName, string content)
    {
        var directory = _temp.Combine("upload-" + fileName);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, fileName), content);
        var command = new CommandSpec { Outputs = { "src" }, OutputRepository = repository };
        var workspace = CommandWorkspace.At(_temp.Combine("upload-work-" + fileName));
        Directory.CreateDirectory(workspace.OutputPath("src"));
        File.Copy(Path.Combine(directory, fileName), Path.Combine(workspace.OutputPath("src"), fileName));
        var pushed = Assert.Single(await CommandOutputs.PushAsync(_store, command, workspace, CancellationToken.None));
        return new CommandInput { Name = "src", Kind = "artifact", Repository = repository, ManifestDigest = pushed.ManifestDigest };
    }

    private async Task<(CommandInput Model, CommandInput Data)> PushModelAndDataAsync(int knownClasses)
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 20, 50);
        var files = MnistFormat.FileNames.Select(f => _temp.Combine("data", f)).ToList();
        var dataDigest = await _store.PushDatasetAsync("datasets/tiny", "v1", "tiny", files);
        var onnx = BandModelsForTests.Write(_temp.Combine("model", "band.onnx"), knownClasses);
        var signature = new ModelSignature([new TensorSignature("input", "float32", [-1, 1, 28, 28])], [new TensorSignature("logits", "float32", [-1, 10])]);
        var config = new ModelArtifactConfig(signature, new Dictionary<string, double>(), new ModelLineage { JobId = "j-train" }) { Name = "band" };
        var modelDigest = await _store.PushModelAsync("models/band", "upload", config, onnx);
        return (new CommandInput { Name = "model", Kind = "model", Repository = "models/band", ManifestDigest = modelDigest },
            new CommandInput { Name = "data", Kind = "dataset", Repository = "datasets/tiny", ManifestDigest = dataDigest });
    }

    private async Task<JobCompleted> CompletedAsync(string jobId)
    {
        await TinyAssignments.WaitForAsync(() => _outbox.Messages.Any(m => m.Completed?.JobId == jobId), Patience);
        return _outbox.Messages.First(m => m.Completed?.JobId == jobId).Completed;
    }

    private string Describe(JobCompleted completed) => $"{completed.Outcome}: {completed.Message}\n{string.Join('\n', _outbox.LogLines)}";
}
