using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Core.Jobs;

/// <summary>
/// Reads one entry of <c>model.layers</c>. Accepted forms: a bare name for layers without parameters
/// (<c>- relu</c>, <c>- flatten</c>, <c>- batch_norm2d</c>, <c>- softmax</c>); the name with its main parameter
/// (<c>- linear: 256</c>, <c>- dropout: 0.2</c>, <c>- max_pool2d: 2</c>, <c>- reshape: [16, 49]</c>); or the name with
/// every parameter by key (<c>- conv2d: { out_channels: 32, kernel_size: 3, padding: 1 }</c>). Sizes of 2-D layers
/// are one number (square) or a list of two (height, width).
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

    private static readonly string KnownKinds =
        "linear, conv2d, batch_norm2d, max_pool2d, avg_pool2d, dropout, flatten, reshape, softmax, activation, " + string.Join(", ", Activations.Keys);

    public static Layer? Read(JobSpecYaml.Reader reader, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } name })
        {
            return ReadBare(reader, node, path, name);
        }

        if (node is not YamlMappingNode { Children.Count: 1 } mapping)
        {
            reader.Error(node, path, "a layer is a name (e.g. 'relu') or a mapping with exactly one key (e.g. 'linear: 256')");
            return null;
        }

        var (keyNode, body) = mapping.Children.First();
        var kind = ((keyNode as YamlScalarNode)?.Value ?? "").ToLowerInvariant();
        var at = $"{path}.{kind}";
        switch (kind)
        {
            case "linear":
                var linear = new LinearLayer();
                Read(reader, body, at, n => linear.OutFeatures = reader.Int64(n, $"{at}.out_features"), new()
                {
                    ["out_features"] = (n, p) => linear.OutFeatures = reader.Int64(n, p),
                    ["no_bias"] = (n, p) => linear.NoBias = ReadBool(reader, n, p),
                });
                return new Layer { Linear = linear };

            case "conv2d":
                var conv = new Conv2dLayer();
                reader.Map(body, at, new Dictionary<string, Action<YamlNode, string>>
                {
                    ["out_channels"] = (n, p) => conv.OutChannels = reader.Int64(n, p),
                    ["kernel_size"] = (n, p) => Sizes(reader, n, p, conv.KernelSize),
                    ["stride"] = (n, p) => Sizes(reader, n, p, conv.Stride),
                    ["padding"] = (n, p) => Sizes(reader, n, p, conv.Padding),
                    ["dilation"] = (n, p) => Sizes(reader, n, p, conv.Dilation),
                    ["groups"] = (n, p) => conv.Groups = reader.Int64(n, p),
                    ["no_bias"] = (n, p) => conv.NoBias = ReadBool(reader, n, p),
                });
                return new Layer { Conv2D = conv };

            case "batch_norm2d":
                var bn = new BatchNorm2dLayer();
                if (!IsEmpty(body))
                {
                    reader.Map(body, at, new Dictionary<string, Action<YamlNode, string>>
                    {
                        ["eps"] = (n, p) => bn.Eps = reader.Double(n, p),
                        ["momentum"] = (n, p) => bn.Momentum = reader.Double(n, p),
                    });
                }

                return new Layer { BatchNorm2D = bn };

            case "max_pool2d":
            case "avg_pool2d":
                var pool = new Pool2dLayer();
                Read(reader, body, at, n => Sizes(reader, n, $"{at}.kernel_size", pool.KernelSize), new()
                {
                    ["kernel_size"] = (n, p) => Sizes(reader, n, p, pool.KernelSize),
                    ["stride"] = (n, p) => Sizes(reader, n, p, pool.Stride),
                    ["padding"] = (n, p) => Sizes(reader, n, p, pool.Padding),
                });
                return kind == "max_pool2d" ? new Layer { MaxPool2D = pool } : new Layer { AvgPool2D = pool };

            case "dropout":
                var dropout = new DropoutLayer();
                Read(reader, body, at, n => dropout.P = reader.Double(n, $"{at}.p"), new()
                {
                    ["p"] = (n, p) => dropout.P = reader.Double(n, p),
                });
                return new Layer { Dropout = dropout };

            case "reshape":
                var reshape = new ReshapeLayer();
                if (body is YamlSequenceNode)
                {
                    reader.Sequence(body, $"{at}.shape", (n, p) => reshape.Shape.Add(reader.Int64(n, p)));
                }
                else
                {
                    reader.Map(body, at, new Dictionary<string, Action<YamlNode, string>>
                    {
                        ["shape"] = (n, p) => reader.Sequence(n, p, (item, ip) => reshape.Shape.Add(reader.Int64(item, ip))),
                    });
                }

                return new Layer { Reshape = reshape };

            case "activation":
                return new Layer { Activation = new ActivationLayer { Kind = reader.Enum(body, at, Activations) } };

            case "flatten":
            case "softmax":
                if (!IsEmpty(body))
                {
                    reader.Error(body, at, $"{kind} takes no parameters");
                }

                return kind == "flatten" ? new Layer { Flatten = new FlattenLayer() } : new Layer { Softmax = new SoftmaxLayer() };

            default:
                reader.Error(keyNode, path, Unsupported(kind, path));
                return null;
        }
    }

    private static Layer? ReadBare(JobSpecYaml.Reader reader, YamlNode node, string path, string name)
    {
        if (Activations.TryGetValue(name, out var activation))
        {
            return new Layer { Activation = new ActivationLayer { Kind = activation } };
        }

        switch (name.ToLowerInvariant())
        {
            case "flatten": return new Layer { Flatten = new FlattenLayer() };
            case "softmax": return new Layer { Softmax = new SoftmaxLayer() };
            case "batch_norm2d": return new Layer { BatchNorm2D = new BatchNorm2dLayer() };
            default:
                reader.Error(node, path, Unsupported(name, path));
                return null;
        }
    }

    /// <summary>"unsupported layer X at position N": the words users see when a spec names a layer we cannot train and export.</summary>
    private static string Unsupported(string kind, string path)
    {
        var position = path[(path.LastIndexOf('[') + 1)..path.LastIndexOf(']')];
        return $"unsupported layer '{kind}' at position {position}; supported: {KnownKinds}";
    }

    /// <summary>A layer body that is either its main parameter as a scalar/list or a mapping of all parameters.</summary>
    private static void Read(JobSpecYaml.Reader reader, YamlNode body, string path, Action<YamlNode> readMain,
        Dictionary<string, Action<YamlNode, string>> fields)
    {
        if (body is YamlMappingNode)
        {
            reader.Map(body, path, fields);
        }
        else
        {
            readMain(body);
        }
    }

    private static void Sizes(JobSpecYaml.Reader reader, YamlNode node, string path, ICollection<long> target)
    {
        if (node is YamlSequenceNode)
        {
            reader.Sequence(node, path, (item, ip) => target.Add(reader.Int64(item, ip)));
        }
        else
        {
            target.Add(reader.Int64(node, path));
        }
    }

    private static bool IsEmpty(YamlNode body) =>
        body is YamlMappingNode { Children.Count: 0 } || (body is YamlScalarNode s && string.IsNullOrEmpty(s.Value));

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
