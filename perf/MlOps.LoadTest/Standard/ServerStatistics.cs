using Grpc.Net.Client;
using MlOps.Client.Inference;
using MlOps.Contracts.Inference;

namespace MlOps.LoadTest.Standard;

/// <summary>
/// The server's own count of inferences and executions for a model (all versions), read through the Open
/// Inference Protocol <c>ModelStatistics</c> call; two snapshots give the mean batch the dynamic batcher formed.
/// </summary>
internal sealed record ServerStatistics(ulong Inferences, ulong Executions)
{
    public static async Task<ServerStatistics?> ReadAsync(Uri grpc, string model, InferenceEndpointSecurity security, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = GrpcChannel.ForAddress(grpc, new GrpcChannelOptions
            {
                HttpHandler = security.CreateHandler(new SocketsHttpHandler()),
                DisposeHttpClient = true,
            });
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var response = await client.ModelStatisticsAsync(
                new ModelStatisticsRequest { Name = model }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            return new ServerStatistics(
                (ulong)response.ModelStats.Sum(s => (decimal)s.InferenceCount),
                (ulong)response.ModelStats.Sum(s => (decimal)s.ExecutionCount));
        }
        catch (Grpc.Core.RpcException)
        {
            return null;
        }
    }

    /// <summary>Mean samples per execution between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static double? MeanBatch(ServerStatistics? before, ServerStatistics? after)
    {
        if (before is null || after is null || after.Executions <= before.Executions)
        {
            return null;
        }

        return (after.Inferences - before.Inferences) / (double)(after.Executions - before.Executions);
    }
}
