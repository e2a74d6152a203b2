using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Standard;
using MlOps.LoadTest.Tests.InProcess;
using MlOps.LoadTest.Wrk;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Standard;

/// <summary>
/// The standard suite in quick mode against the real serving stack (Kestrel, the Open Inference Protocol over gRPC
/// and REST, ONNX Runtime and the dynamic batcher) on loopback, serving an exported MLP: every scenario runs, nothing
/// fails, and the report has the figures the targets are about. Measures nothing worth keeping.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StandardSuiteTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-standard-").FullName;
    private ModelRepository _repository = null!;
    private WebApplication _app = null!;
    private int _grpcPort;
    private int _restPort;
    private string _onnx = null!;

    public async Task InitializeAsync()
    {
        _onnx = OnnxModelsForTests.WriteMlp(_directory);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_onnx)));
        _repository = new ModelRepository();
        await _repository.LoadVersionAsync("fashion-mlp", "1", _onnx, digest);

        _grpcPort = FreePort.Next();
        _restPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, _grpcPort, l => l.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, _restPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddSingleton<IModelRepository>(_repository);
        builder.Services.AddOpenInference();
        _app = builder.Build();
        _app.MapOpenInference();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _repository.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_QuickAgainstServedMlp_EveryScenarioRunsWithoutErrors()
    {
        var options = StandardOptions.Quick(new StandardOptions
        {
            Grpc = new Uri($"http://127.0.0.1:{_grpcPort}"),
            Rest = new Uri($"http://127.0.0.1:{_restPort}"),
            Models = [new StandardModel("fashion-mlp", _onnx, RolloutCommand: "exit 0", MinSaturation: 1, MaxP99AtHalf: TimeSpan.FromSeconds(30))],
            Wrk = WrkRunner.IsAvailable(),
        }) with
        {
            Users = [1, 4],
        };
        var log = new StringWriter();

        var reports = await new StandardSuite(options, log).RunAsync("test", CancellationToken.None);

        var report = Assert.Single(reports);
        var names = report.Runs.Select(r => r.Scenario).ToList();
        Assert.Contains("fashion-mlp-grpc-closed-1u", names);
        Assert.Contains("fashion-mlp-grpc-closed-4u", names);
        Assert.Contains("fashion-mlp-rest-closed-4u", names);
        Assert.Contains("fashion-mlp-grpc-open-50pct", names);
        Assert.Contains("fashion-mlp-rest-open-50pct", names);
        Assert.All(report.Runs, r =>
        {
            Assert.True(r.Requests > 0, $"{r.Scenario} completed nothing");
            Assert.Equal(0, r.Errors);
        });
        var rollout = Assert.Single(report.Runs, r => r.Scenario == "fashion-mlp-grpc-rollout");
        Assert.Equal(0, Assert.Single(rollout.Events).ExitCode);

        var notes = report.Notes.ToDictionary(n => n.Name, n => n.Value);
        Assert.StartsWith("met: ", notes["target: gRPC saturation ≥ 1 req/s"]);
        Assert.StartsWith("met: ", notes["target: rollout under load: 0 errors"]);
        Assert.StartsWith("met: ", notes["target: gRPC p99 at 50 % of saturation ≤ 30000 ms"]);
        Assert.Contains("in-process ONNX Runtime, batch 1", notes.Keys);
        Assert.Contains("served gRPC / in-process at the formed batch", notes.Keys);
        Assert.Contains(notes.Keys, k => k.StartsWith("saturation (grpc)", StringComparison.Ordinal));
        if (options.Wrk)
        {
            // Only that it ran: how close the two figures are on a busy CI machine is no test.
            Assert.Contains(notes.Keys, k => k.StartsWith("wrk, 64 connections", StringComparison.Ordinal));
        }

        var files = ReportWriter.WriteAll(report, Path.Combine(_directory, "out"), "standard-fashion-mlp");
        Assert.Contains("<svg", await File.ReadAllTextAsync(files.Html));
        Assert.Equal(report.Runs.Count, JsonReport.Read(files.Json).Runs.Count);
    }
}
