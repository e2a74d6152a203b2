using MlOps.Contracts.Inference;

namespace MlOps.Client.Tests.Support;

/// <summary>Model metadata as a server's ModelMetadata RPC would return it.</summary>
internal static class Models
{
    public static ModelMetadataResponse.Types.TensorMetadata Tensor(string name, string datatype, params long[] shape)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = datatype };
        tensor.Shape.Add(shape);
        return tensor;
    }

    public static ModelMetadataResponse Metadata(string name, params ModelMetadataResponse.Types.TensorMetadata[] inputs)
    {
        var model = new ModelMetadataResponse { Name = name, Platform = "onnxruntime_onnx" };
        model.Inputs.Add(inputs);
        model.Outputs.Add(Tensor("output", "FP32", -1, 10));
        return model;
    }
}
