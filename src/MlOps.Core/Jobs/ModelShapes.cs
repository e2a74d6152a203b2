using MlOps.Contracts;

namespace MlOps.Core.Jobs;

/// <summary>Walks a model spec's layers with the sample shape and reports layers that cannot take their input.</summary>
public static class ModelShapes
{
    /// <summary>The shape of one output sample, or null when the model is not valid.</summary>
    public static long[]? OutputShape(ModelSpec model)
    {
        var errors = new List<FieldError>();
        var shape = Check(model, errors);
        return errors.Count == 0 ? shape : null;
    }

    internal static long[]? Check(ModelSpec model, List<FieldError> errors)
    {
        var before = errors.Count;
        if (model.InputShape.Count == 0)
        {
            errors.Add(new FieldError("model.input_shape", "is required, e.g. [1, 28, 28] for 28x28 grey images"));
        }

        for (var i = 0; i < model.InputShape.Count; i++)
        {
            if (model.InputShape[i] < 1)
            {
                errors.Add(new FieldError($"model.input_shape[{i}]", $"must be at least 1, got {model.InputShape[i]}"));
            }
        }

        if (model.Layers.Count == 0)
        {
            errors.Add(new FieldError("model.layers", "must list at least one layer"));
        }
        else if (model.Layers.Count > JobSpecValidator.MaxLayers)
        {
            errors.Add(new FieldError("model.layers", $"may hold at most {JobSpecValidator.MaxLayers} layers"));
        }

        if (errors.Count == before && Elements(model.InputShape) > JobSpecValidator.MaxSampleElements)
        {
            errors.Add(new FieldError("model.input_shape", $"[{string.Join(", ", model.InputShape)}] holds more than {JobSpecValidator.MaxSampleElements} values per sample"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        long[] shape = [.. model.InputShape];
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var next = Step(model.Layers[i], i, model.Layers.Count, shape, errors);
            if (next is null)
            {
                return null;
            }

            if (Elements(next) > JobSpecValidator.MaxSampleElements)
            {
                // Checked after every layer so no later product (flatten, reshape) can overflow a long.
                errors.Add(new FieldError($"model.layers[{i}]", $"outputs [{string.Join(", ", next)}]: more than {JobSpecValidator.MaxSampleElements} values per sample"));
                return null;
            }

            shape = next;
        }

        return shape;
    }

    /// <summary>The product of <paramref name="dimensions"/>, or <see cref="long.MaxValue"/> when it does not fit a
    /// long; 0 when one of them is not a size (zero or negative: the callers report those themselves).</summary>
    internal static long Elements(IEnumerable<long> dimensions)
    {
        var product = 1L;
        foreach (var dimension in dimensions)
        {
            if (dimension <= 0)
            {
                return 0;
            }

            if (product > long.MaxValue / dimension)
            {
                return long.MaxValue;
            }

            product *= dimension;
        }

        return product;
    }

    /// <summary>The output shape of one layer, or null (with an error) when the layer cannot take its input.</summary>
    private static long[]? Step(Layer layer, int index, int count, long[] shape, List<FieldError> errors)
    {
        var path = $"model.layers[{index}]";
        switch (layer.KindCase)
        {
            case Layer.KindOneofCase.Linear:
                var outFeatures = layer.Linear.OutFeatures;
                if (outFeatures is < 1 or > JobSpecValidator.MaxFeatures)
                {
                    errors.Add(new FieldError($"{path}.linear.out_features", $"must be between 1 and {JobSpecValidator.MaxFeatures}, got {outFeatures}"));
                }

                if (shape.Length != 1)
                {
                    errors.Add(new FieldError($"{path}.linear", $"needs a 1-D input but gets [{string.Join(", ", shape)}]; add a 'flatten' layer before it"));
                    return null;
                }

                return [Math.Max(outFeatures, 1)];
            case Layer.KindOneofCase.Activation:
                if (layer.Activation.Kind == Activation.Unspecified)
                {
                    errors.Add(new FieldError($"{path}.activation", "must name an activation: relu, gelu, sigmoid or tanh"));
                }

                return shape;
            case Layer.KindOneofCase.Dropout:
                if (!(layer.Dropout.P >= 0 && layer.Dropout.P < 1))
                {
                    errors.Add(new FieldError($"{path}.dropout.p", $"must be at least 0 and below 1, got {layer.Dropout.P}"));
                }

                return shape;
            case Layer.KindOneofCase.Flatten:
                return [shape.Aggregate(1L, (a, b) => a * b)];
            case Layer.KindOneofCase.Conv2D:
                return ConvShapes.Conv2d(layer.Conv2D, $"{path}.conv2d", shape, errors);
            case Layer.KindOneofCase.BatchNorm2D:
                return ConvShapes.BatchNorm2d(layer.BatchNorm2D, $"{path}.batch_norm2d", shape, errors);
            case Layer.KindOneofCase.MaxPool2D:
                return ConvShapes.Pool2d(layer.MaxPool2D, $"{path}.max_pool2d", shape, errors);
            case Layer.KindOneofCase.AvgPool2D:
                return ConvShapes.Pool2d(layer.AvgPool2D, $"{path}.avg_pool2d", shape, errors);
            case Layer.KindOneofCase.Softmax:
                if (index != count - 1)
                {
                    errors.Add(new FieldError($"{path}.softmax", "is only supported as the last layer (it turns the logits into probabilities)"));
                    return null;
                }

                if (shape.Length != 1)
                {
                    errors.Add(new FieldError($"{path}.softmax", $"needs a 1-D input (class scores) but gets [{string.Join(", ", shape)}]"));
                    return null;
                }

                return shape;
            case Layer.KindOneofCase.Reshape:
                return ConvShapes.Reshape(layer.Reshape, $"{path}.reshape", shape, errors);
            default:
                errors.Add(new FieldError(path, $"unsupported layer at position {index} (a layer kind this coordinator does not know)"));
                return null;
        }
    }
}
