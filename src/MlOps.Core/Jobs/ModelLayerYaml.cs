using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Core.Jobs;

/// <summary>
/// Reads one entry of <c>model.layers</c>. Accepted forms:
/// <c>- relu</c> / <c>- flatten</c> (no parameters), <c>- linear: 256</c> / <c>- dropout: 0.2</c> (the main
/// parameter), or <c>- linear: { out_features: 256, no_bias: false }</c> (every parameter by name).
/// </summary>
internal static class ModelLayerYaml
{
    private static readonly IReadOnlyDictionary<string, Activation> Activations = new Dictionary<string, Activation>(StringComparer.OrdinalIgnoreCase)
    {
        ["relu"] = Activation.Relu,
        ["gelu"] = Activation.Gelu,
        ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh,
    };

    private static readonly string KnownKinds = "linear, dropout, flatten, activation, " + string.Join(", ", Activations.Keys);

    public static Layer? Read(JobSpecYaml.Reader reader, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } name })
        {
            if (Activations.TryGetValue(name, out var activation))
            {
                return new Layer { Activation = new ActivationLayer { Kind = activation } };
            }

            if (string.Equals(name, "flatten", StringComparison.OrdinalIgnoreCase))
            {
                return new Layer { Flatten = new FlattenLayer() };
            }

            reader.Error(node, path, $"unknown layer '{name}'; expected one of: {KnownKinds}");
            return null;
        }

        if (node is not YamlMappingNode { Children.Count: 1 } mapping)
        {
            reader.Error(node, path, "a layer is a name (e.g. 'relu') or a mapping with exactly one key (e.g. 'linear: 256')");
            return null;
        }

        var (keyNode, body) = mapping.Children.First();
        var kind = (keyNode as YamlScalarNode)?.Value ?? "";
        var layerPath = $"{path}.{kind}";
        switch (kind.ToLowerInvariant())
        {
            case "linear":
                var linear = new LinearLayer();
                if (body is YamlScalarNode)
                {
                    linear.OutFeatures = reader.Int64(body, $"{layerPath}.out_features");
                }
                else
                {
                    reader.Map(body, layerPath, new Dictionary<string, Action<YamlNode, string>>
                    {
                        ["out_features"] = (n, p) => linear.OutFeatures = reader.Int64(n, p),
                        ["no_bias"] = (n, p) => linear.NoBias = ReadBool(reader, n, p),
                    });
                }

                return new Layer { Linear = linear };

            case "dropout":
                var dropout = new DropoutLayer();
                if (body is YamlScalarNode)
                {
                    dropout.P = reader.Double(body, $"{layerPath}.p");
                }
                else
                {
                    reader.Map(body, layerPath, new Dictionary<string, Action<YamlNode, string>>
                    {
                        ["p"] = (n, p) => dropout.P = reader.Double(n, p),
                    });
                }

                return new Layer { Dropout = dropout };

            case "activation":
                return new Layer { Activation = new ActivationLayer { Kind = reader.Enum(body, layerPath, Activations) } };

            case "flatten":
                if (body is not YamlMappingNode { Children.Count: 0 } && !(body is YamlScalarNode s && string.IsNullOrEmpty(s.Value)))
                {
                    reader.Error(body, layerPath, "flatten takes no parameters");
                }

                return new Layer { Flatten = new FlattenLayer() };

            default:
                reader.Error(keyNode, path, $"unknown layer '{kind}'; expected one of: {KnownKinds}");
                return null;
        }
    }

    private static bool ReadBool(JobSpecYaml.Reader reader, YamlNode node, string path)
    {
        var text = (node as YamlScalarNode)?.Value;
        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        reader.Error(node, path, $"must be true or false, got '{text}'");
        return false;
    }
}
