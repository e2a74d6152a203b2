using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c> over <see cref="IModelRepository"/>. Errors leave as
/// <see cref="InferenceException"/> and <see cref="GrpcExceptionInterceptor"/> maps them to a status.
/// </summary>
[BindServiceMethod(typeof(InferenceGrpcService), nameof(BindService))]
internal sealed class InferenceGrpcService(
    IModelRepository repository, IOptions<OpenInferenceOptions> options, ILogger<InferenceGrpcService> logger)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    /// <summary>Found by ASP.NET Core gRPC through the attribute: the generated binding, with malformed requests
    /// answered INVALID_ARGUMENT (see <see cref="MalformedMessageBinder"/>). The parameter keeps the generated base
    /// type because the framework matches handlers to methods declared there.</summary>
    public static void BindService(ServiceBinderBase binder, GRPCInferenceService.GRPCInferenceServiceBase? service) =>
        GRPCInferenceService.BindService(new MalformedMessageBinder(binder), service);

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = repository.HasReadyModel() });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = repository.IsModelReady(request.Name, request.Version) });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = options.Value.ServerName, Version = options.Value.ServerVersion };
        response.Extensions.AddRange(ServerIdentity.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var model = repository.Find(request.Name, request.Version);
        return Task.FromResult(ModelDescriptionMapper.Metadata(model.Descriptor, repository.Versions(request.Name)));
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var inference = GrpcInferRequestReader.Read(request);
        var model = repository.FindReady(inference.ModelName, inference.ModelVersion);
        var response = await repository.InferAsync(model, inference.ModelName, inference.ModelVersion, inference, context.CancellationToken);
        return GrpcInferResponseWriter.Write(response, inference.Id);
    }

    /// <summary>Triton's streaming form: one response per request, in order; a failed request answers with
    /// <c>error_message</c> and the stream goes on.</summary>
    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ModelStreamInferResponse answer;
            try
            {
                answer = new ModelStreamInferResponse { InferResponse = await ModelInfer(request, context) };
            }
            catch (InferenceException e)
            {
                GrpcExceptionInterceptor.Log(logger, context.Method, e);
                answer = new ModelStreamInferResponse
                {
                    ErrorMessage = e.Message,
                    InferResponse = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id },
                };
            }

            await responseStream.WriteAsync(answer, context.CancellationToken);
        }
    }

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        var model = repository.Find(request.Name, request.Version);
        return Task.FromResult(new ModelConfigResponse { Config = ModelDescriptionMapper.Config(model.Descriptor) });
    }

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context) =>
        Task.FromResult(StatisticsMapper.Collect(repository, request.Name, request.Version));

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        foreach (var entry in repository.Index().Where(e => !request.Ready || e.State == ModelRepositoryLookup.ReadyState))
        {
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = entry.Name, Version = entry.Version, State = entry.State, Reason = entry.Reason,
            });
        }

        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        RepositoryParameters.RejectUnsupported(request.Parameters.Keys);
        await repository.LoadAsync(request.ModelName, context.CancellationToken);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        await repository.UnloadAsync(request.ModelName, context.CancellationToken);
        return new RepositoryModelUnloadResponse();
    }

    private static void RequireModelName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw TensorLayout.Invalid("model_name is required");
        }
    }
}
