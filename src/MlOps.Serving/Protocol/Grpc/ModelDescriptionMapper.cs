using MlOps.Serving.Models;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>Model metadata and the Triton model config, built from a <see cref="ModelDescriptor"/>; REST renders the same messages as JSON.</summary>
internal static class ModelDescriptionMapper
{
    /// <summary>The backend name Triton reports for ONNX Runtime models.</summary>
    public const string Backend = "onnxruntime";

    public static ModelMetadataResponse Metadata(ModelDescriptor descriptor, IEnumerable<string> versions)
    {
        var response = new ModelMetadataResponse { Name = descriptor.Name, Platform = descriptor.Platform };
        response.Versions.AddRange(versions);
        if (response.Versions.Count == 0)
        {
            response.Versions.Add(descriptor.Version);
        }

        response.Inputs.AddRange(descriptor.Inputs.Select(Tensor));
        response.Outputs.AddRange(descriptor.Outputs.Select(Tensor));
        return response;
    }

    /// <summary>
    /// The config perf_analyzer reads. With <see cref="ModelDescriptor.MaxBatchSize"/> &gt; 0 the batch dimension is
    /// left out of <c>dims</c> (Triton's convention) and dynamic batching is reported, because the server batches.
    /// <see cref="ModelDescriptor.Parameters"/> become <c>parameters[key].string_value</c>, sorted by key.
    /// </summary>
    public static ModelConfig Config(ModelDescriptor descriptor)
    {
        var batching = descriptor.MaxBatchSize > 0;
        var config = new ModelConfig
        {
            Name = descriptor.Name,
            Platform = descriptor.Platform,
            Backend = Backend,
            MaxBatchSize = descriptor.MaxBatchSize,
            ModelTransactionPolicy = new ModelTransactionPolicy { Decoupled = false },
        };
        if (batching)
        {
            config.DynamicBatching = new ModelDynamicBatching();
        }

        foreach (var (key, value) in descriptor.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            config.Parameters.Add(key, new ModelParameter { StringValue = value });
        }

        foreach (var input in descriptor.Inputs)
        {
            var modelInput = new ModelInput { Name = input.Name, DataType = TensorDataTypes.ToConfig(input.DataType) };
            modelInput.Dims.AddRange(Dims(input.Shape, batching));
            config.Input.Add(modelInput);
        }

        foreach (var output in descriptor.Outputs)
        {
            var modelOutput = new ModelOutput { Name = output.Name, DataType = TensorDataTypes.ToConfig(output.DataType) };
            modelOutput.Dims.AddRange(Dims(output.Shape, batching));
            config.Output.Add(modelOutput);
        }

        return config;
    }

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(TensorSpec spec)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType };
        tensor.Shape.AddRange(spec.Shape);
        return tensor;
    }

    private static IEnumerable<long> Dims(long[] shape, bool batching) => batching && shape.Length > 0 ? shape.Skip(1) : shape;
}
