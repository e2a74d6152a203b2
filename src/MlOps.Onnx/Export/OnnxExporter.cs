using System.Globalization;
using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Onnx.Protos;

namespace MlOps.Onnx;

/// <summary>
/// Turns a sequential <see cref="ModelSpec"/> and its trained weights into an ONNX model: IR
/// <see cref="OnnxFormat.IrVersion"/>, opset <see cref="OnnxFormat.Opset"/>, one float input and one float output
/// with a dynamic <c>"batch"</c> dimension, weights as initializers, and <c>metadata_props</c> with name, version
/// and lineage. The same spec, weights and options always give the same bytes. See docs/onnx-export.md.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports to the serialized ONNX file contents.</summary>
    /// <inheritdoc cref="Build"/>
    public static byte[] Export(ModelSpec model, IReadOnlyDictionary<string, WeightTensor> weights, OnnxExportOptions options) =>
        Build(model, weights, options).ToByteArray();

    /// <summary>Builds the ONNX model message.</summary>
    /// <param name="model">The spec the weights were trained for; layer <c>i</c> owns weights <c>"i.*"</c>.</param>
    /// <param name="weights">Float weights by state-dict name (<c>"0.weight"</c>, <c>"1.running_var"</c>, ...);
    /// <c>*.num_batches_tracked</c> entries are ignored, any other unused entry is an error.</param>
    /// <param name="options">Names, version and extra metadata.</param>
    /// <exception cref="OnnxExportException">A layer is not supported (<c>unsupported layer X at position N</c>), the
    /// spec is invalid, or a weight is missing, misshaped or unused.</exception>
    /// <exception cref="ArgumentException">The options are invalid (the property is named).</exception>
    public static ModelProto Build(ModelSpec model, IReadOnlyDictionary<string, WeightTensor> weights, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);

        for (var i = 0; i < model.Layers.Count; i++)
        {
            if (LayerEmitter.Unsupported(model.Layers[i]) is { } what)
            {
                throw new OnnxExportException($"unsupported layer {what} at position {i}");
            }
        }

        var errors = SpecShapes.Errors(model);
        if (errors.Count > 0)
        {
            throw new OnnxExportException($"invalid model spec: {string.Join("; ", errors)}");
        }

        var shapes = SpecShapes.Before(model);
        var graph = new GraphBuilder(options.ModelName);
        var weightSet = new WeightSet(weights);
        graph.AddInput(options.InputName, shapes[0]);

        var lastEmitting = model.Layers.Select((layer, index) => (layer, index)).LastOrDefault(l => !LayerEmitter.IsIdentity(l.layer), (null!, -1)).Item2;
        var emitter = new LayerEmitter(graph, weightSet);
        var value = options.InputName;
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var target = i == lastEmitting ? options.OutputName : $"{i}.out";
            value = emitter.Emit(model.Layers[i], i, shapes[i], value, target);
        }

        if (lastEmitting < 0)
        {
            // Only dropout layers: the model is the identity, but input and output still need their own names.
            graph.AddNode("Identity", "Identity", [value], options.OutputName);
        }

        weightSet.EnsureAllUsed();
        graph.AddOutput(options.OutputName, shapes[^1]);

        var proto = new ModelProto
        {
            IrVersion = OnnxFormat.IrVersion,
            ProducerName = OnnxFormat.ProducerName,
            ProducerVersion = OnnxFormat.ProducerVersion,
            Domain = "",
            ModelVersion = options.ModelVersion,
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFormat.Opset });
        foreach (var (key, entry) in Metadata(model, lastEmitting, options))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = entry });
        }

        return proto;
    }

    private static SortedDictionary<string, string> Metadata(ModelSpec model, int lastEmitting, OnnxExportOptions options)
    {
        var endsInSoftmax = lastEmitting >= 0 && model.Layers[lastEmitting].KindCase == Layer.KindOneofCase.Softmax;
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [OnnxMetadataKeys.ModelName] = options.ModelName,
            [OnnxMetadataKeys.ModelVersion] = options.ModelVersion.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.SpecDigest] = Sha256Digest.OfBytes(model.ToByteArray()),
            [OnnxMetadataKeys.Output] = endsInSoftmax ? OnnxMetadataKeys.Probabilities : OnnxMetadataKeys.Logits,
        };
        foreach (var (key, value) in options.Metadata)
        {
            metadata.Add(key, value);
        }

        return metadata;
    }

    private static void ValidateOptions(OnnxExportOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelName))
        {
            errors.Add($"{nameof(options.ModelName)} is required");
        }

        if (options.ModelVersion < 0)
        {
            errors.Add($"{nameof(options.ModelVersion)} must be 0 or more, got {options.ModelVersion}");
        }

        if (string.IsNullOrWhiteSpace(options.InputName) || string.IsNullOrWhiteSpace(options.OutputName))
        {
            errors.Add($"{nameof(options.InputName)} and {nameof(options.OutputName)} are required");
        }
        else if (options.InputName == options.OutputName)
        {
            errors.Add($"{nameof(options.InputName)} and {nameof(options.OutputName)} must differ, both are '{options.InputName}'");
        }

        foreach (var (key, value) in options.Metadata ?? throw new ArgumentException($"{nameof(options.Metadata)} is required", nameof(options)))
        {
            if (OnnxMetadataKeys.Reserved.Contains(key))
            {
                errors.Add($"{nameof(options.Metadata)} may not set '{key}': the exporter writes it");
            }
            else if (string.IsNullOrEmpty(key) || value is null)
            {
                errors.Add($"{nameof(options.Metadata)} keys must be non-empty and values non-null");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid ONNX export options: {string.Join("; ", errors)}", nameof(options));
        }
    }
}
