using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>Test double that returns every input unchanged as an output of the same name, for datatype round trips.</summary>
internal sealed class IdentityModelForTests(string name, params TensorSpec[] tensors) : IServedModel
{
    public ModelDescriptor Descriptor { get; } = new(name, "1", tensors, tensors);

    public bool IsReady => true;

    public ModelStatisticsSnapshot Statistics => new(0, 0, 0, 0, 0, 0, 0);

    public InferenceMetricsSnapshot Metrics => InferenceMetricsSnapshot.Empty;

    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var outputs = request.Inputs
            .Where(i => request.RequestedOutputs is not { Count: > 0 } requested || requested.Contains(i.Name))
            .ToList();
        return ValueTask.FromResult(new InferenceResponse(Descriptor.Name, Descriptor.Version, outputs) { Id = request.Id });
    }
}

/// <summary>Test double that fails every inference with the exception it was given.</summary>
internal sealed class ThrowingModelForTests(string name, Exception exception) : IServedModel
{
    public ModelDescriptor Descriptor { get; } = new(name, "1", [new TensorSpec("input", "FP32", [-1, 4])], [new TensorSpec("output", "FP32", [-1, 4])]);

    public bool IsReady => true;

    public ModelStatisticsSnapshot Statistics => new(0, 0, 0, 0, 0, 0, 0);

    public InferenceMetricsSnapshot Metrics => InferenceMetricsSnapshot.Empty;

    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromException<InferenceResponse>(exception);
}
