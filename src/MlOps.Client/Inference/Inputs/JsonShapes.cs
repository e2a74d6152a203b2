using TensorMetadata = MlOps.Contracts.Inference.ModelMetadataResponse.Types.TensorMetadata;

namespace MlOps.Client.Inference.Inputs;

/// <summary>Shape arithmetic for JSON inputs: working out a left-out shape and checking one against the model.</summary>
internal static class JsonShapes
{
    /// <summary>
    /// The shape of an input that gives none: the data's nesting when it has the model's rank and fits it, else
    /// the model's shape with its single -1 (the batch) worked out from the number of values.
    /// </summary>
    public static long[] Infer(TensorMetadata model, JsonTensorData data, string path)
    {
        var dims = model.Shape.ToArray();
        if (Fits(data.NestedShape, dims))
        {
            return data.NestedShape;
        }

        var variable = dims.Count(d => d < 0);
        if (variable == 0)
        {
            return dims;
        }

        if (variable > 1)
        {
            throw new InferenceInputException(
                path, $"missing, and the model's shape {Format(dims)} has more than one variable dimension; give a shape or nest the data");
        }

        var fixedPart = dims.Where(d => d >= 0).Aggregate(1L, (product, d) => product * d);
        var count = data.Values.Count;
        if (count == 0)
        {
            throw new InferenceInputException(path, "missing, and the data is empty; give a shape to send an empty batch");
        }

        if (fixedPart == 0 || count % fixedPart != 0)
        {
            throw new InferenceInputException(
                path, $"missing, and {count} values do not fill the model's shape {Format(dims)} (a multiple of {fixedPart} is needed)");
        }

        return [.. dims.Select(d => d < 0 ? count / fixedPart : d)];
    }

    /// <summary>Throws unless <paramref name="shape"/> has the model's rank and its fixed dimensions.</summary>
    public static void CheckFits(long[] shape, TensorMetadata model, string path)
    {
        var dims = model.Shape.ToArray();
        if (!Fits(shape, dims))
        {
            throw new InferenceInputException(path, $"{Format(shape)} does not fit the model's input '{model.Name}' of shape {Format(dims)}");
        }
    }

    /// <summary>The number of elements a shape holds.</summary>
    public static long ElementCount(long[] shape, string path)
    {
        if (shape.Contains(0))
        {
            return 0;
        }

        var count = 1L;
        foreach (var d in shape)
        {
            if (count > int.MaxValue / d)
            {
                throw new InferenceInputException(path, $"{Format(shape)} holds more elements than a request can carry");
            }

            count *= d;
        }

        return count;
    }

    /// <summary>A shape as the protocol writes it: <c>[-1,784]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => $"[{string.Join(",", shape)}]";

    private static bool Fits(long[] shape, long[] model) =>
        shape.Length == model.Length && shape.Zip(model).All(pair => pair.Second < 0 || pair.First == pair.Second);
}
