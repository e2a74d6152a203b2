using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Jobs;

/// <summary>
/// Secrets never reach the coordinator's log (STYLE.md, docs/security.md, "Safe inputs"): a command job's environment values,
/// an <c>authorization</c> header and a refused spec's values stay out of every line, even at the most verbose level.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretLoggingTests : IDisposable
{
    private const string EnvSecret = "env-s3cr3t-7f1c9a";
    private const string TokenSecret = "token-s3cr3t-0b8e2d";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SubmitJob_SecretsInEnvAndAuthorization_AbsentFromTheLogAtVerbose()
    {
        var data = _directory.Combine("data");
        string accepted;
        await using (var host = await CoordinatorHost.StartAsync(data, FourPixelDataset.Write(_directory.Combine("tiny")), "--Serilog:MinimumLevel:Default=Verbose"))
        {
            var headers = new Metadata { { "authorization", "Bearer " + TokenSecret } };
            accepted = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Command(EnvSecret) }, headers)).Job.Id;
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Command(EnvSecret + "-${inputs.nope}", badKey: true) }, headers).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        }

        var log = string.Concat(Directory.EnumerateFiles(Path.Combine(data, "logs")).Select(ReadShared));
        Assert.Contains(accepted, log, StringComparison.Ordinal);
        Assert.Contains("Job spec refused", log, StringComparison.Ordinal);
        Assert.DoesNotContain(EnvSecret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenSecret, log, StringComparison.Ordinal);
    }

    private static JobSpec Command(string secret, bool badKey = false) => new()
    {
        Name = "secret-env",
        Command = new CommandSpec
        {
            Argv = { "/bin/true" },
            Env = { [badKey ? "bad key" : "API_TOKEN"] = secret },
        },
    };

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
