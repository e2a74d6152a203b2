using System.Text.Json;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Cli.Tests.EndToEnd;

/// <summary><c>submit</c>, <c>jobs</c>, <c>job</c>, <c>cancel</c> and <c>agents</c> against a real gRPC server (the fake coordinator).</summary>
[Trait("Category", "Integration")]
public sealed class SubmitAndJobsTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli");
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Submit_ValidSpec_PrintsJobIdAndSendsLocalUserAsOwnerAndHeader()
    {
        var file = WriteSpec(SpecYaml.Valid);

        var result = await CliRun.RunAsync("submit", file, "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["job-1"], result.OutLines);
        var request = Assert.Single(_server.Jobs.Submitted);
        Assert.Equal("mnist-quick", request.Spec.Name);
        Assert.Equal(CliRun.User, request.Spec.Owner);
        Assert.All(_server.Jobs.Users, user => Assert.Equal(CliRun.User, user));
    }

    [Fact]
    public async Task Submit_OwnerOption_OverridesSpecOwner()
    {
        var file = WriteSpec("owner: alice\n" + SpecYaml.Valid);

        var result = await CliRun.RunAsync("submit", file, "--owner", "bob", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("bob", Assert.Single(_server.Jobs.Submitted).Spec.Owner);
    }

    [Fact]
    public async Task Submit_JsonOutput_PrintsTheJob()
    {
        var result = await CliRun.RunAsync("submit", WriteSpec(SpecYaml.Valid), "-o", "json", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("job-1", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("JOB_STATE_QUEUED", json.RootElement.GetProperty("state").GetString());
        Assert.Equal("mnist-quick", json.RootElement.GetProperty("spec").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Submit_WithWatch_FollowsTheJobAndExitsZeroOnSuccess()
    {
        _server.Jobs.OnSubmitted = job =>
        {
            _server.Jobs.Events[job.Id] = [.. JobEvents.SuccessfulRun(job.Id)];
            JobEvents.Succeed(job);
        };

        var result = await CliRun.RunAsync("submit", WriteSpec(SpecYaml.Valid), "--watch", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("job-1", result.OutLines[0]);
        Assert.Contains("test_accuracy: 0.9123", result.OutLines);
    }

    [Fact]
    public async Task Submit_InvalidSpec_ExitsTwoWithoutCallingTheCoordinator()
    {
        var file = WriteSpec(SpecYaml.Valid.Replace("epochs: 2", "epochs: 0", StringComparison.Ordinal));

        var result = await CliRun.RunAsync("submit", file, "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("hyper_parameters.epochs: must be between 1", result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Jobs.Submitted);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Jobs_Default_PrintsHeaderAndOneRowPerJob()
    {
        _server.Jobs.AddJob("job-a", JobState.Running);
        var done = _server.Jobs.AddJob("job-b", JobState.Succeeded);
        JobEvents.Succeed(done);

        var result = await CliRun.RunAsync("jobs", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.OutLines.Length);
        Assert.Matches("^ID +NAME +OWNER +STATE +ATTEMPT +AGENT +PROGRESS +CREATED$", result.OutLines[0]);
        Assert.Matches("^job-a +job-a-name +tester +RUNNING ", result.OutLines[1]);
        Assert.Contains("test_accuracy 0.9123", result.OutLines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_AllWithLimit_PagesThroughEveryPage()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Jobs.AddJob($"job-{i}", JobState.Queued);
        }

        var result = await CliRun.RunAsync("jobs", "--limit", "2", "--all", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(6, result.OutLines.Length);
        Assert.Equal(["", "2", "4"], _server.Jobs.Listed.Select(r => r.PageToken));
        Assert.All(_server.Jobs.Listed, r => Assert.Equal(2, r.PageSize));
    }

    [Fact]
    public async Task Jobs_WithoutAll_ShowsOnePageAndSaysSoOnStderr()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.Jobs.AddJob($"job-{i}", JobState.Queued);
        }

        var result = await CliRun.RunAsync("jobs", "-n", "2", "--coordinator", _server.Address);

        Assert.Equal(3, result.OutLines.Length);
        Assert.Contains("--all", result.Error, StringComparison.Ordinal);
        Assert.Single(_server.Jobs.Listed);
    }

    [Fact]
    public async Task Jobs_StateAndOwnerFilters_AreSentToTheCoordinator()
    {
        var result = await CliRun.RunAsync("jobs", "--state", "running,queued", "--state", "JOB_STATE_FAILED", "--owner", "bob", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(_server.Jobs.Listed);
        Assert.Equal([JobState.Running, JobState.Queued, JobState.Failed], request.States);
        Assert.Equal("bob", request.Owner);
        Assert.Contains("no jobs", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_JsonOutput_IsAListJobsResponse()
    {
        _server.Jobs.AddJob("job-a", JobState.Running);
        _server.Jobs.AddJob("job-b", JobState.Failed);

        var result = await CliRun.RunAsync("jobs", "--output", "json", "--coordinator", _server.Address);

        using var json = JsonDocument.Parse(result.Out);
        var jobs = json.RootElement.GetProperty("jobs");
        Assert.Equal(2, jobs.GetArrayLength());
        Assert.Equal("JOB_STATE_FAILED", jobs[1].GetProperty("state").GetString());
        Assert.Equal("", json.RootElement.GetProperty("nextPageToken").GetString());
    }

    [Fact]
    public async Task Job_Existing_PrintsDetailsWithResult()
    {
        JobEvents.Succeed(_server.Jobs.AddJob("job-a", JobState.Succeeded));

        var result = await CliRun.RunAsync("job", "job-a", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("(?m)^state: +SUCCEEDED$", result.Out);
        Assert.Matches("(?m)^test_accuracy: +0.9123$", result.Out);
        Assert.Matches("(?m)^weights sha256: +sha256:a{64}$", result.Out);
        Assert.Matches("(?m)^weights uri: +file:///data/agent/artifacts/job-a/weights.bin$", result.Out);
    }

    [Fact]
    public async Task Job_Unknown_ExitsThreeWithTheServersDetail()
    {
        var result = await CliRun.RunAsync("job", "nope", "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("error: job nope not found", result.Error.Trim());
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("InvalidArgument", 2)]
    [InlineData("NotFound", 3)]
    [InlineData("Unavailable", 4)]
    [InlineData("DeadlineExceeded", 4)]
    [InlineData("FailedPrecondition", 5)]
    [InlineData("PermissionDenied", 5)]
    [InlineData("Internal", 5)]
    public async Task Job_ServerFailsWithStatus_ExitsWithMappedCode(string status, int expected)
    {
        var result = await CliRun.RunAsync("job", "status-" + status, "--coordinator", _server.Address);

        Assert.Equal(expected, result.ExitCode);
        Assert.Contains($"scripted {status} for status-{status}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_Existing_PrintsTheNewStateAndSendsTheReason()
    {
        _server.Jobs.AddJob("job-a", JobState.Running);

        var result = await CliRun.RunAsync("cancel", "job-a", "--reason", "wrong lr", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["job-a CANCELLING"], result.OutLines);
        Assert.Equal("wrong lr", _server.Jobs.Jobs["job-a"].FailureReason);
    }

    [Fact]
    public async Task Agents_Registered_PrintsOneRowEach()
    {
        _server.Cluster.Agents.Add(new AgentInfo
        {
            AgentId = "local",
            Host = "box",
            Status = AgentStatus.Connected,
            Capacity = new AgentCapacity { CpuCores = 16, MemoryMb = 131072, Gpus = { new GpuInfo { Index = 0, Model = "H100" } } },
            Free = new Resources { CpuCores = 15, MemoryMb = 130000, Gpus = 1 },
            RunningJobIds = { "job-a" },
        });

        var result = await CliRun.RunAsync("agents", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("^ID +HOST +STATUS +CORES +MEMORY +GPUS +FREE +RUNNING JOBS +LAST SEEN$", result.OutLines[0]);
        Assert.Matches("^local +box +CONNECTED +16 +128 GB +1 \\(H100\\) +15 cpu, 127 GB, 1 gpu +job-a +-$", result.OutLines[1]);
    }

    private string WriteSpec(string yaml)
    {
        var path = _temp.Combine($"spec-{Guid.NewGuid():n}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
