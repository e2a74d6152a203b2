using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// Writes the inference response: JSON only (<c>application/json</c>) when no output is binary, else the JSON header
/// followed by the binary outputs in order, with <c>Inference-Header-Content-Length</c> and each binary output's
/// <c>parameters.binary_data_size</c> (what tritonclient slices by).
/// </summary>
internal static class RestInferResponseWriter
{
    public static RestResult Write(InferenceResponse response, string? requestId, OutputEncoding encoding)
    {
        var binaries = new List<ReadOnlyMemory<byte>>();
        var json = RestResult.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("model_name", response.ModelName);
            if (!string.IsNullOrEmpty(response.ModelVersion))
            {
                w.WriteString("model_version", response.ModelVersion);
            }

            if ((response.Id ?? requestId) is { } id)
            {
                w.WriteString("id", id);
            }

            w.WriteStartArray("outputs");
            foreach (var output in response.Outputs)
            {
                WriteOutput(w, output, encoding.IsBinary(output.Name), binaries);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

        return binaries.Count == 0
            ? new RestResult(StatusCodes.Status200OK, RestResult.JsonContentType, [json])
            : new RestResult(StatusCodes.Status200OK, RestResult.BinaryContentType, [json, .. binaries], json.Length);
    }

    private static void WriteOutput(Utf8JsonWriter w, InferenceTensor output, bool binary, List<ReadOnlyMemory<byte>> binaries)
    {
        w.WriteStartObject();
        w.WriteString("name", output.Name);
        w.WriteString("datatype", output.DataType);
        w.WriteStartArray("shape");
        foreach (var dim in output.Shape)
        {
            w.WriteNumberValue(dim);
        }

        w.WriteEndArray();
        if (binary)
        {
            w.WriteStartObject("parameters");
            w.WriteNumber("binary_data_size", output.Data.Length);
            w.WriteEndObject();
            binaries.Add(output.Data);
        }
        else
        {
            w.WritePropertyName("data");
            JsonTensorWriter.Write(w, output);
        }

        w.WriteEndObject();
    }
}
