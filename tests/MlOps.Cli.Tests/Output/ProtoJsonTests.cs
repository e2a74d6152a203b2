using System.Text.Json;
using MlOps.Cli.Output;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Output;

/// <summary>The JSON scripts read: proto3 canonical names, enums by name, defaults present.</summary>
public sealed class ProtoJsonTests
{
    [Fact]
    public void Indented_Job_UsesCamelCaseNamesEnumNamesAndWritesDefaults()
    {
        var job = new Job { Id = "j1", State = JobState.Queued, Spec = new JobSpec { Name = "n" } };

        using var json = JsonDocument.Parse(ProtoJson.Indented(job));
        var root = json.RootElement;

        Assert.Equal("j1", root.GetProperty("id").GetString());
        Assert.Equal("JOB_STATE_QUEUED", root.GetProperty("state").GetString());
        Assert.Equal(0, root.GetProperty("attempt").GetInt32());
        Assert.Equal("", root.GetProperty("agentId").GetString());
        Assert.Equal("0", root.GetProperty("lastEventSeq").GetString());
        Assert.Equal("n", root.GetProperty("spec").GetProperty("name").GetString());
    }

    [Fact]
    public void Indented_Job_SpansSeveralLines()
    {
        Assert.Contains('\n', ProtoJson.Indented(new Job { Id = "j1" }));
    }

    [Fact]
    public void Line_Event_IsOneLineWithThePayloadUnderItsName()
    {
        var text = ProtoJson.Line(JobEvents.Progress("j1", 4, epoch: 1, loss: 0.5, accuracy: 0.75));

        Assert.DoesNotContain('\n', text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("4", json.RootElement.GetProperty("seq").GetString());
        Assert.Equal(0.75, json.RootElement.GetProperty("progress").GetProperty("accuracy").GetDouble());
        Assert.Equal("2025-01-02T03:04:09Z", json.RootElement.GetProperty("time").GetString());
        Assert.False(json.RootElement.TryGetProperty("log", out _));
    }

    [Fact]
    public void Line_StateChange_NamesBothStates()
    {
        using var json = JsonDocument.Parse(ProtoJson.Line(JobEvents.State("j1", 1, JobState.Running, JobState.Failed, "oom")));
        var change = json.RootElement.GetProperty("stateChange");

        Assert.Equal("JOB_STATE_RUNNING", change.GetProperty("from").GetString());
        Assert.Equal("JOB_STATE_FAILED", change.GetProperty("to").GetString());
        Assert.Equal("oom", change.GetProperty("reason").GetString());
    }
}
