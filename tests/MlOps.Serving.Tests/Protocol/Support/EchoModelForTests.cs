using System.Runtime.InteropServices;
using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>
/// Test double of a served model: doubles FP32 input "input" [-1,4] into output "output", batch up to
/// <see cref="ModelDescriptor.MaxBatchSize"/>, and validates names, datatype, shape, batch and byte length itself the
/// way a real model does, throwing <see cref="InferenceException"/>.
/// </summary>
internal sealed class EchoModelForTests(string name = "echo", string version = "1", int maxBatchSize = 8) : IServedModel
{
    private long _inferences;
    private long _executions;
    private long _failures;

    public ModelDescriptor Descriptor { get; } = new(
        name, version, [new TensorSpec("input", "FP32", [-1, 4])], [new TensorSpec("output", "FP32", [-1, 4])])
    {
        MaxBatchSize = maxBatchSize,
    };

    public bool IsReady { get; set; } = true;

    public ModelStatisticsSnapshot Statistics => new(
        Interlocked.Read(ref _inferences), Interlocked.Read(ref _executions), Interlocked.Read(ref _executions),
        Interlocked.Read(ref _failures), 1_000, 2_000, 1_700_000_000_000);

    public InferenceMetricsSnapshot Metrics => InferenceMetricsSnapshot.Empty;

    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var input = Validate(request);
            var values = MemoryMarshal.Cast<byte, float>(input.Data.Span).ToArray().Select(v => v * 2).ToArray();
            Interlocked.Add(ref _inferences, input.Shape[0]);
            Interlocked.Increment(ref _executions);
            var output = new InferenceTensor("output", "FP32", [input.Shape[0], 4], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            return ValueTask.FromResult(new InferenceResponse(Descriptor.Name, Descriptor.Version, [output]) { Id = request.Id });
        }
        catch (InferenceException)
        {
            Interlocked.Increment(ref _failures);
            throw;
        }
    }

    private InferenceTensor Validate(InferenceRequest request)
    {
        foreach (var tensor in request.Inputs.Where(t => t.Name != "input"))
        {
            throw Invalid($"model '{Descriptor.Name}' has no input '{tensor.Name}'");
        }

        var input = request.Inputs.Count > 0 ? request.Inputs[0] : throw Invalid($"model '{Descriptor.Name}' needs input 'input'");
        if (input.DataType != "FP32")
        {
            throw Invalid($"input 'input' must be FP32, got {input.DataType}");
        }

        if (input.Shape.Length != 2 || input.Shape[1] != 4)
        {
            throw Invalid($"input 'input' must have shape [-1,4], got [{string.Join(",", input.Shape)}]");
        }

        if (input.Shape[0] > Descriptor.MaxBatchSize)
        {
            throw Invalid($"batch of {input.Shape[0]} exceeds the maximum batch size {Descriptor.MaxBatchSize} of model '{Descriptor.Name}'");
        }

        if (input.Data.Length != input.Shape[0] * 16)
        {
            throw Invalid($"input 'input' needs {input.Shape[0] * 16} bytes, got {input.Data.Length}");
        }

        foreach (var output in request.RequestedOutputs ?? [])
        {
            if (output != "output")
            {
                throw Invalid($"model '{Descriptor.Name}' has no output '{output}'");
            }
        }

        return input;
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
