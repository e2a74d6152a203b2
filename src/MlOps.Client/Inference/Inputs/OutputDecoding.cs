using System.Buffers.Binary;
using MlOps.Contracts.Inference;
using OutputTensor = MlOps.Contracts.Inference.ModelInferResponse.Types.InferOutputTensor;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Reads the outputs of a <see cref="ModelInferResponse"/> into <see cref="DecodedOutput"/>s, and ranks the
/// classes of a classifier's output.
/// </summary>
public static class OutputDecoding
{
    /// <summary>
    /// Each output with its data, from <c>raw_output_contents</c> or, when a server sent none, from the typed
    /// <c>contents</c>. Byte lengths are checked against the shapes.
    /// </summary>
    /// <exception cref="InvalidDataException">The response is inconsistent; the message names the output.</exception>
    public static IReadOnlyList<DecodedOutput> Decode(ModelInferResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var raw = response.RawOutputContents;
        if (raw.Count != 0 && raw.Count != response.Outputs.Count)
        {
            throw new InvalidDataException($"the response has {response.Outputs.Count} outputs but {raw.Count} raw contents");
        }

        var decoded = new List<DecodedOutput>(response.Outputs.Count);
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            var bytes = raw.Count != 0 ? raw[i].Memory : TypedOutputContents.ToRaw(output);
            decoded.Add(Check(output, bytes));
        }

        return decoded;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely classes of each row of a classifier output shaped
    /// <c>[batch, classes]</c> (or <c>[classes]</c>, one row). Logits are turned into probabilities with a
    /// softmax; a row that already is a distribution (every value in [0, 1], summing to 1 within 1e-3) is
    /// used as it is, unless <paramref name="probabilities"/> says which the model gives.
    /// </summary>
    /// <param name="output">A floating-point output.</param>
    /// <param name="k">Classes to keep per row; more than the model has keeps them all.</param>
    /// <param name="probabilities">True: the values are probabilities; false: logits; null: decide per row.</param>
    /// <exception cref="ArgumentException">The output is not floating point or not one or two dimensional.</exception>
    public static IReadOnlyList<ClassRanking> TopClasses(DecodedOutput output, int k, bool? probabilities = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (!output.IsFloatingPoint)
        {
            throw new ArgumentException($"output '{output.Name}' is {output.Datatype}; class scores must be floating point", nameof(output));
        }

        var (rows, classes) = output.Shape.Count switch
        {
            1 => (1, (int)output.Shape[0]),
            2 => ((int)output.Shape[0], (int)output.Shape[1]),
            _ => throw new ArgumentException(
                $"output '{output.Name}' has shape [{string.Join(",", output.Shape)}]; class scores are [batch, classes] or [classes]", nameof(output)),
        };

        var values = output.ToDoubles();
        var rankings = new List<ClassRanking>(rows);
        for (var row = 0; row < rows; row++)
        {
            var scores = values.AsSpan(row * classes, classes);
            var fromLogits = !(probabilities ?? IsDistribution(scores));
            var distribution = fromLogits ? Softmax(scores) : scores.ToArray();
            var top = distribution
                .Select((p, index) => new ClassScore(index, p))
                .OrderByDescending(s => s.Probability)
                .ThenBy(s => s.Class)
                .Take(k)
                .ToArray();
            rankings.Add(new ClassRanking(row, fromLogits, top));
        }

        return rankings;
    }

    /// <summary>Softmax, shifted by the maximum so large logits do not overflow.</summary>
    internal static double[] Softmax(ReadOnlySpan<double> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var v in logits)
        {
            max = Math.Max(max, v);
        }

        var result = new double[logits.Length];
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            result[i] = Math.Exp(logits[i] - max);
            sum += result[i];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] /= sum;
        }

        return result;
    }

    private static bool IsDistribution(ReadOnlySpan<double> scores)
    {
        var sum = 0.0;
        foreach (var v in scores)
        {
            if (!(v >= 0 && v <= 1))
            {
                return false;
            }

            sum += v;
        }

        return Math.Abs(sum - 1) <= 1e-3;
    }

    private static DecodedOutput Check(OutputTensor output, ReadOnlyMemory<byte> bytes)
    {
        var shape = output.Shape.ToArray();
        var where = $"output '{output.Name}'";
        if (shape.Any(d => d < 0))
        {
            throw new InvalidDataException($"{where} has a negative dimension in shape [{string.Join(",", shape)}]");
        }

        var count = ElementCount(shape);
        var size = TensorDataTypes.ElementSize(output.Datatype);
        if (size < 0)
        {
            throw new InvalidDataException($"{where}: {TensorDataTypes.DescribeUnknown(output.Datatype)}");
        }

        if (size > 0 && bytes.Length != count * size)
        {
            throw new InvalidDataException(
                $"{where} has {bytes.Length} bytes, but shape [{string.Join(",", shape)}] of {output.Datatype} takes {count * size}");
        }

        if (size == 0)
        {
            CheckByteElements(bytes.Span, count, where);
        }

        return new DecodedOutput(output.Name, output.Datatype, shape, count, bytes);
    }

    // Capped well above what any message can hold, so that an absurd shape fails the length check, not the multiply.
    private static long ElementCount(long[] shape)
    {
        const long Cap = 1L << 40;
        var count = 1L;
        foreach (var d in shape)
        {
            if (d == 0)
            {
                return 0;
            }

            count = count > Cap / d ? Cap : count * d;
        }

        return count;
    }

    private static void CheckByteElements(ReadOnlySpan<byte> raw, long expected, string where)
    {
        var found = 0L;
        while (!raw.IsEmpty)
        {
            if (raw.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(raw) > (uint)(raw.Length - 4))
            {
                throw new InvalidDataException($"{where}: BYTES element {found} runs past the end of the data");
            }

            raw = raw[(4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(raw))..];
            found++;
        }

        if (found != expected)
        {
            throw new InvalidDataException($"{where} has {found} BYTES elements, its shape says {expected}");
        }
    }
}
