using System.Text;
using System.Text.Json;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// The <c>data</c> of a JSON tensor, flattened: its leaf values in row-major order and the shape its nesting
/// describes (<c>[n]</c> for a flat array). Nested arrays must be rectangular; the error names the place.
/// </summary>
internal sealed class JsonTensorData
{
    private JsonTensorData(string path, List<JsonElement> values, long[] nestedShape)
    {
        Path = path;
        Values = values;
        NestedShape = nestedShape;
    }

    /// <summary>Where the array is in the file, e.g. <c>inputs[0].data</c>.</summary>
    public string Path { get; }

    /// <summary>The leaf values, row-major.</summary>
    public IReadOnlyList<JsonElement> Values { get; }

    /// <summary>The shape the array nesting gives.</summary>
    public long[] NestedShape { get; }

    /// <summary>Flattens <paramref name="data"/>, which sits at <paramref name="path"/> in the file.</summary>
    public static JsonTensorData Read(JsonElement data, string path)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceInputException(path, $"must be an array, found {JsonText.Kind(data)}");
        }

        var values = new List<JsonElement>();
        var shape = new List<long>();
        var leafDepth = -1;
        var indices = new List<int>();
        Visit(data, 0);
        return new JsonTensorData(path, values, [.. shape]);

        void Visit(JsonElement array, int depth)
        {
            var length = array.GetArrayLength();
            if (depth == shape.Count)
            {
                shape.Add(length);
            }
            else if (shape[depth] != length)
            {
                throw new InferenceInputException(
                    PathOf(path, indices), $"has {length} elements where the first array at this depth has {shape[depth]} (arrays must be rectangular)");
            }

            var index = 0;
            indices.Add(0);
            foreach (var item in array.EnumerateArray())
            {
                indices[depth] = index++;
                var isArray = item.ValueKind == JsonValueKind.Array;
                if (!isArray && leafDepth == -1)
                {
                    leafDepth = depth + 1;
                }

                if (isArray ? depth + 1 >= leafDepth && leafDepth != -1 : depth + 1 != leafDepth)
                {
                    var expected = isArray ? "a value" : "an array";
                    throw new InferenceInputException(
                        PathOf(path, indices), $"expected {expected} like the elements before it, found {JsonText.Kind(item)} (nesting must be regular)");
                }

                if (isArray)
                {
                    Visit(item, depth + 1);
                }
                else
                {
                    values.Add(item);
                }
            }

            indices.RemoveAt(indices.Count - 1);
        }
    }

    /// <summary>The path of value number <paramref name="flatIndex"/>, nested like the file: <c>data[1][3]</c>.</summary>
    public string PathOf(int flatIndex)
    {
        var indices = new int[NestedShape.Length];
        var rest = (long)flatIndex;
        for (var d = NestedShape.Length - 1; d >= 0; d--)
        {
            indices[d] = (int)(rest % NestedShape[d]);
            rest /= NestedShape[d];
        }

        return PathOf(Path, indices);
    }

    private static string PathOf(string path, IEnumerable<int> indices)
    {
        var text = new StringBuilder(path);
        foreach (var i in indices)
        {
            text.Append('[').Append(i).Append(']');
        }

        return text.ToString();
    }
}
