using System.Globalization;
using MlOps.Contracts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.Core.Jobs;

/// <summary>
/// Reads a hand-written job spec (YAML) into a <see cref="JobSpec"/>. Keys are the snake_case names of the
/// protobuf fields; an unknown key, a wrong type or a malformed document is an error naming the field and
/// its line. Every error in the document is collected before throwing. Only plain scalars, sequences and
/// mappings are read: tags are plain text and custom constructors never run; aliases, deep nesting and oversized
/// documents are refused before any node is built (<see cref="YamlSafety"/>). A command job
/// (<c>command:</c>, read by <see cref="CommandSpecYaml"/>) takes no dataset, model or hyper_parameters.
/// </summary>
public static class JobSpecYaml
{
    /// <summary>Largest spec file accepted, so a stray multi-gigabyte file is refused before parsing.</summary>
    public const int MaxBytes = 1 << 20;

    public static JobSpec LoadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"job spec file not found: {path}", path);
        }

        if (info.Length > MaxBytes)
        {
            throw new SpecValidationException([new FieldError("(file)", $"{path} is {info.Length} bytes; a job spec may be at most {MaxBytes} bytes")]);
        }

        return Parse(File.ReadAllText(path));
    }

    /// <summary>Parses a job spec document of at most <see cref="MaxBytes"/> (UTF-8) that passes
    /// <see cref="YamlSafety"/> (no aliases, bounded depth and size; tags are read as plain text).</summary>
    /// <exception cref="SpecValidationException">Every problem found, each naming its field.</exception>
    public static JobSpec Parse(string yaml)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(yaml);
        if (size > MaxBytes)
        {
            throw new SpecValidationException([new FieldError("(yaml)", $"the document is {size} bytes; a job spec may be at most {MaxBytes} bytes")]);
        }

        var errors = new List<FieldError>();
        var stream = new YamlStream();
        try
        {
            if (YamlSafety.Problem(yaml, allowTags: true) is { } problem)
            {
                throw new SpecValidationException([new FieldError("(yaml)", problem)]);
            }

            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SpecValidationException([new FieldError("(yaml)", $"line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections.
            throw new SpecValidationException([new FieldError("(yaml)", "malformed YAML: an unclosed '[', '{' or quote")]);
        }
        catch (ArgumentException ex)
        {
            // And this way on a malformed tag ("!!]") or an event its loader does not expect (found by fuzzing).
            throw new SpecValidationException([new FieldError("(yaml)", YamlSafety.Malformed(ex))]);
        }

        if (stream.Documents.Count != 1)
        {
            throw new SpecValidationException([new FieldError("(yaml)", stream.Documents.Count == 0 ? "the file is empty" : "the file holds more than one YAML document")]);
        }

        var spec = new JobSpec();
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SpecValidationException([new FieldError("(yaml)", "the top level must be a mapping of keys (name, dataset, model, ...)")]);
        }

        var reader = new Reader(errors);
        reader.Map(root, "", new Dictionary<string, Action<YamlNode, string>>
        {
            ["name"] = (n, p) => spec.Name = reader.String(n, p),
            ["owner"] = (n, p) => spec.Owner = reader.String(n, p),
            ["team"] = (n, p) => spec.Team = reader.String(n, p),
            ["seed"] = (n, p) => spec.Seed = reader.Int64(n, p),
            ["priority"] = (n, p) => spec.Priority = reader.Int32(n, p),
            ["max_attempts"] = (n, p) => spec.MaxAttempts = reader.Int32(n, p),
            ["dataset"] = (n, p) => spec.Dataset = ReadDataset(reader, n, p),
            ["model"] = (n, p) => spec.Model = ReadModel(reader, n, p),
            ["hyper_parameters"] = (n, p) => spec.HyperParameters = ReadHyperParameters(reader, n, p),
            ["resources"] = (n, p) => spec.Resources = ReadResources(reader, n, p),
            ["checkpoint"] = (n, p) => spec.Checkpoint = ReadCheckpoint(reader, n, p),
            ["baseline"] = (n, p) => spec.Baseline = ReadBaseline(reader, n, p),
            ["command"] = (n, p) => spec.Command = CommandSpecYaml.Read(reader, n, p),
        });

        if (errors.Count > 0)
        {
            throw new SpecValidationException(errors);
        }

        return spec;
    }

    private static DatasetRef ReadDataset(Reader reader, YamlNode node, string path)
    {
        var dataset = new DatasetRef();
        if (node is YamlScalarNode scalar)
        {
            // Short form: "dataset: fashion-mnist" or "dataset: fashion-mnist@v1".
            var text = scalar.Value ?? "";
            var at = text.IndexOf('@', StringComparison.Ordinal);
            dataset.Name = at < 0 ? text : text[..at];
            dataset.Version = at < 0 ? "" : text[(at + 1)..];
            return dataset;
        }

        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["name"] = (n, p) => dataset.Name = reader.String(n, p),
            ["version"] = (n, p) => dataset.Version = reader.String(n, p),
            ["digest"] = (n, p) => dataset.Digest = reader.String(n, p),
        });
        return dataset;
    }

    private static ModelSpec ReadModel(Reader reader, YamlNode node, string path)
    {
        var model = new ModelSpec();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["input_shape"] = (n, p) => reader.Sequence(n, p, (item, ip) => model.InputShape.Add(reader.Int64(item, ip))),
            ["layers"] = (n, p) => reader.Sequence(n, p, (item, ip) =>
            {
                var layer = ModelLayerYaml.Read(reader, item, ip);
                if (layer is not null)
                {
                    model.Layers.Add(layer);
                }
            }),
        });
        return model;
    }

    private static HyperParameters ReadHyperParameters(Reader reader, YamlNode node, string path)
    {
        var hp = new HyperParameters();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["optimizer"] = (n, p) => hp.Optimizer = reader.Enum(n, p, OptimizerNames),
            ["learning_rate"] = (n, p) => hp.LearningRate = reader.Double(n, p),
            ["batch_size"] = (n, p) => hp.BatchSize = reader.Int32(n, p),
            ["epochs"] = (n, p) => hp.Epochs = reader.Int32(n, p),
            ["momentum"] = (n, p) => hp.Momentum = reader.Double(n, p),
            ["weight_decay"] = (n, p) => hp.WeightDecay = reader.Double(n, p),
            ["lr_schedule"] = (n, p) => hp.LrSchedule = reader.Enum(n, p, ScheduleNames),
        });
        return hp;
    }

    /// <summary><c>baseline: {model: fashion-mlp, version: 3}</c>, or the short form <c>baseline: fashion-mlp:3</c>.</summary>
    private static ModelBaseline ReadBaseline(Reader reader, YamlNode node, string path)
    {
        var baseline = new ModelBaseline();
        if (node is YamlScalarNode scalar)
        {
            var text = scalar.Value ?? "";
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                reader.Error(node, path, $"must be MODEL:VERSION (e.g. fashion-mlp:3) or a mapping with model and version, got '{text}'");
                return baseline;
            }

            baseline.Model = text[..colon];
            baseline.Version = version;
            return baseline;
        }

        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["model"] = (n, p) => baseline.Model = reader.String(n, p),
            ["version"] = (n, p) => baseline.Version = reader.Int32(n, p),
        });
        return baseline;
    }

    private static CheckpointPolicy ReadCheckpoint(Reader reader, YamlNode node, string path)
    {
        var checkpoint = new CheckpointPolicy();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["every_steps"] = (n, p) => checkpoint.EverySteps = reader.Int64(n, p),
            ["every_seconds"] = (n, p) => checkpoint.EverySeconds = reader.Int32(n, p),
            ["disabled"] = (n, p) => checkpoint.Disabled = reader.Boolean(n, p),
        });
        return checkpoint;
    }

    private static Resources ReadResources(Reader reader, YamlNode node, string path)
    {
        var resources = new Resources();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["cpu_cores"] = (n, p) => resources.CpuCores = reader.Int32(n, p),
            ["memory_mb"] = (n, p) => resources.MemoryMb = reader.Int64(n, p),
            ["gpus"] = (n, p) => resources.Gpus = reader.Int32(n, p),
            ["gpu_memory_mb"] = (n, p) => resources.GpuMemoryMb = reader.Int64(n, p),
            ["gpu_model"] = (n, p) => resources.GpuModel = reader.String(n, p),
        });
        return resources;
    }

    internal static readonly IReadOnlyDictionary<string, Optimizer> OptimizerNames = new Dictionary<string, Optimizer>(StringComparer.OrdinalIgnoreCase)
    {
        ["sgd"] = Optimizer.Sgd,
        ["adam"] = Optimizer.Adam,
    };

    internal static readonly IReadOnlyDictionary<string, LearningRateSchedule> ScheduleNames = new Dictionary<string, LearningRateSchedule>(StringComparer.OrdinalIgnoreCase)
    {
        ["constant"] = LearningRateSchedule.Constant,
        ["cosine"] = LearningRateSchedule.Cosine,
    };

    /// <summary>Typed access to YAML nodes that records an error (with line) instead of throwing.</summary>
    internal sealed class Reader(List<FieldError> errors)
    {
        public void Error(YamlNode node, string path, string message) =>
            errors.Add(new FieldError(path.Length == 0 ? "(root)" : path, $"{message} (line {node.Start.Line})"));

        public void Map(YamlNode node, string path, IReadOnlyDictionary<string, Action<YamlNode, string>> fields)
        {
            if (node is not YamlMappingNode mapping)
            {
                Error(node, path, "must be a mapping of keys");
                return;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                var childPath = path.Length == 0 ? key : $"{path}.{key}";
                if (!seen.Add(key))
                {
                    Error(keyNode, childPath, "appears twice");
                    continue;
                }

                if (fields.TryGetValue(key, out var read))
                {
                    read(valueNode, childPath);
                }
                else
                {
                    var known = string.Join(", ", fields.Keys);
                    Error(keyNode, childPath, $"unknown key '{key}'; expected one of: {known}");
                }
            }
        }

        public void Sequence(YamlNode node, string path, Action<YamlNode, string> readItem)
        {
            if (node is not YamlSequenceNode sequence)
            {
                Error(node, path, "must be a list");
                return;
            }

            for (var i = 0; i < sequence.Children.Count; i++)
            {
                readItem(sequence.Children[i], $"{path}[{i}]");
            }
        }

        public string String(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } value })
            {
                return value;
            }

            Error(node, path, "must be a text value");
            return "";
        }

        public long Int64(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } text } &&
                long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            Error(node, path, $"must be a whole number, got '{Describe(node)}'");
            return 0;
        }

        public int Int32(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } text } &&
                int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            Error(node, path, $"must be a whole number between {int.MinValue} and {int.MaxValue}, got '{Describe(node)}'");
            return 0;
        }

        public bool Boolean(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
            {
                return value;
            }

            Error(node, path, $"must be true or false, got '{Describe(node)}'");
            return false;
        }

        public double Double(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } text } &&
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            Error(node, path, $"must be a number, got '{Describe(node)}'");
            return 0;
        }

        public T Enum<T>(YamlNode node, string path, IReadOnlyDictionary<string, T> names)
            where T : struct
        {
            var text = (node as YamlScalarNode)?.Value;
            if (text is not null && names.TryGetValue(text, out var value))
            {
                return value;
            }

            Error(node, path, $"must be one of: {string.Join(", ", names.Keys)}; got '{Describe(node)}'");
            return default;
        }

        private static string Describe(YamlNode node) => node switch
        {
            YamlScalarNode s => s.Value ?? "",
            YamlSequenceNode => "a list",
            YamlMappingNode => "a mapping",
            _ => node.NodeType.ToString(),
        };
    }
}
