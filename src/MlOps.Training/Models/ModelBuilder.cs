using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Training.Native;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlOps.Training.Models;

/// <summary>
/// Builds a TorchSharp <see cref="nn.Module{Tensor, Tensor}"/> stack from a <see cref="ModelSpec"/>.
/// Layer <c>i</c> of the spec becomes the child module named <c>"i"</c> (as PyTorch's <c>Sequential</c> names
/// them), so saved weights have stable names such as <c>0.weight</c> and <c>0.bias</c> that map back to
/// <c>model.layers[0]</c>.
/// </summary>
public static class ModelBuilder
{
    /// <summary>Builds the model with freshly initialised parameters (drawn from torch's global generator; call
    /// <c>torch.manual_seed</c> first for reproducible weights).</summary>
    /// <exception cref="ArgumentException">The spec is invalid; the message names every offending field
    /// (<c>model.input_shape</c>, <c>model.layers[i]</c>, ...).</exception>
    public static Sequential Build(ModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plan = Plan(model);
        TorchSharpLoader.EnsureLoaded();
        var modules = new (string, nn.Module<Tensor, Tensor>)[plan.Count];
        for (var i = 0; i < plan.Count; i++)
        {
            modules[i] = (i.ToString(System.Globalization.CultureInfo.InvariantCulture), plan[i]());
        }

        return nn.Sequential(modules);
    }

    /// <summary>Checks the spec and infers every layer's input size; returns one factory per layer. No torch calls.</summary>
    internal static IReadOnlyList<Func<nn.Module<Tensor, Tensor>>> Plan(ModelSpec model)
    {
        var errors = new List<FieldError>();
        var factories = new List<Func<nn.Module<Tensor, Tensor>>>();
        if (model.InputShape.Count == 0)
        {
            errors.Add(new FieldError("model.input_shape", "is required, e.g. [1, 28, 28]"));
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

        if (errors.Count > 0)
        {
            throw Invalid(errors, nameof(model));
        }

        long[] shape = [.. model.InputShape];
        for (var i = 0; i < model.Layers.Count && errors.Count == 0; i++)
        {
            shape = PlanLayer(model.Layers[i], $"model.layers[{i}]", shape, factories, errors);
        }

        return errors.Count > 0 ? throw Invalid(errors, nameof(model)) : factories;
    }

    private static long[] PlanLayer(
        Layer layer, string path, long[] shape, List<Func<nn.Module<Tensor, Tensor>>> factories, List<FieldError> errors)
    {
        switch (layer.KindCase)
        {
            case Layer.KindOneofCase.Linear:
                var outFeatures = layer.Linear.OutFeatures;
                var bias = !layer.Linear.NoBias;
                if (outFeatures is < 1 or > JobSpecValidator.MaxFeatures)
                {
                    errors.Add(new FieldError($"{path}.linear.out_features", $"must be between 1 and {JobSpecValidator.MaxFeatures}, got {outFeatures}"));
                }

                if (shape.Length != 1)
                {
                    errors.Add(new FieldError($"{path}.linear", $"needs a 1-D input but gets [{string.Join(", ", shape)}]; add a 'flatten' layer before it"));
                }

                var inFeatures = shape[0];
                factories.Add(() => nn.Linear(inFeatures, outFeatures, hasBias: bias));
                return [outFeatures];
            case Layer.KindOneofCase.Activation:
                Func<nn.Module<Tensor, Tensor>>? activation = layer.Activation.Kind switch
                {
                    Activation.Relu => () => nn.ReLU(),
                    Activation.Gelu => () => nn.GELU(),
                    Activation.Sigmoid => () => nn.Sigmoid(),
                    Activation.Tanh => () => nn.Tanh(),
                    _ => null,
                };
                if (activation is null)
                {
                    errors.Add(new FieldError($"{path}.activation", $"must name an activation: relu, gelu, sigmoid or tanh (got {layer.Activation.Kind})"));
                }
                else
                {
                    factories.Add(activation);
                }

                return shape;
            case Layer.KindOneofCase.Dropout:
                var p = layer.Dropout.P;
                if (!(p >= 0 && p < 1))
                {
                    errors.Add(new FieldError($"{path}.dropout.p", $"must be at least 0 and below 1, got {p}"));
                }

                factories.Add(() => nn.Dropout(p));
                return shape;
            case Layer.KindOneofCase.Flatten:
                // nn.Flatten() keeps the batch dimension and flattens the rest, which is the spec's per-sample flatten.
                factories.Add(() => nn.Flatten());
                return [shape.Aggregate(1L, (a, b) => a * b)];
            default:
                errors.Add(new FieldError(path, "has no layer kind set (linear, activation, dropout or flatten)"));
                return shape;
        }
    }

    private static ArgumentException Invalid(List<FieldError> errors, string paramName) =>
        new($"invalid model spec: {string.Join("; ", errors)}", paramName);
}
