using System.Globalization;
using System.Text;
using System.Text.Json;
using MlOps.Cli.Output;
using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;

namespace MlOps.Cli.Predicting;

/// <summary>How a prediction reads: outputs with their shapes, and for a classifier the top classes per row.</summary>
internal static class PredictionText
{
    public static async Task WriteAsync(TextWriter writer, ModelInferResponse response, TimeSpan elapsed, int top)
    {
        await writer.WriteLineAsync($"model {response.ModelName} version {response.ModelVersion} ({elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms)");
        foreach (var output in OutputDecoding.Decode(response))
        {
            await writer.WriteLineAsync($"{output.Name}: {output.Datatype} [{string.Join(",", output.Shape)}]");
            if (output.IsFloatingPoint && output.Shape.Count == 2)
            {
                var table = new TextTable("row", "class", "probability");
                foreach (var ranking in OutputDecoding.TopClasses(output, top))
                {
                    foreach (var score in ranking.Top)
                    {
                        table.AddRow(Display.Integer(ranking.Row), Display.Integer(score.Class), score.Probability.ToString("0.0000", CultureInfo.InvariantCulture));
                    }
                }

                table.Write(writer, terminal: false);
            }
            else
            {
                var values = output.Datatype == "BYTES" ? output.ToStrings() : output.ToDoubles().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)).ToList();
                await writer.WriteLineAsync("  " + string.Join(" ", values.Take(32)) + (values.Count > 32 ? $" … ({Display.Integer(values.Count)} values)" : ""));
            }
        }
    }

    /// <summary>The response as the protocol's REST JSON (outputs with <c>data</c> arrays), for scripts.</summary>
    public static string Json(ModelInferResponse response)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("model_name", response.ModelName);
            json.WriteString("model_version", response.ModelVersion);
            if (response.Id.Length > 0)
            {
                json.WriteString("id", response.Id);
            }

            json.WriteStartArray("outputs");
            foreach (var output in OutputDecoding.Decode(response))
            {
                json.WriteStartObject();
                json.WriteString("name", output.Name);
                json.WriteString("datatype", output.Datatype);
                json.WriteStartArray("shape");
                foreach (var dimension in output.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data");
                if (output.Datatype == "BYTES")
                {
                    foreach (var value in output.ToStrings())
                    {
                        json.WriteStringValue(value);
                    }
                }
                else
                {
                    foreach (var value in output.ToDoubles())
                    {
                        json.WriteNumberValue(value);
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
