using System.Text.Json;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>Reads the <c>outputs</c> array of a JSON request: the outputs to return, each by name.</summary>
internal static class JsonRequestedOutputs
{
    public static void Read(JsonElement outputs, ModelMetadataResponse? model, ModelInferRequest request)
    {
        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceInputException("outputs", $"must be an array, found {JsonText.Kind(outputs)}");
        }

        var index = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            var path = $"outputs[{index++}]";
            JsonParameters.ExpectObject(output, path);
            JsonParameters.ExpectOnly(output, path, "name", "parameters");
            if (!output.TryGetProperty("name", out var nameElement))
            {
                throw new InferenceInputException($"{path}.name", "missing");
            }

            var name = JsonInferenceInput.ExpectString(nameElement, $"{path}.name");
            if (model is not null && !model.Outputs.Any(o => o.Name == name))
            {
                throw new InferenceInputException(
                    $"{path}.name", $"model '{model.Name}' has no output '{name}' (its outputs: {JsonInferenceInput.Names(model.Outputs)})");
            }

            if (request.Outputs.Any(o => o.Name == name))
            {
                throw new InferenceInputException($"{path}.name", $"duplicate output '{name}'");
            }

            var requested = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name };
            if (output.TryGetProperty("parameters", out var parameters))
            {
                JsonParameters.Read(parameters, $"{path}.parameters", requested.Parameters);
            }

            request.Outputs.Add(requested);
        }
    }
}
