using System.Text;
using MlOps.Core.Digests;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Caching;

/// <summary>
/// The cache key of a step: <c>sha256:</c> + hex SHA-256 of a canonical encoding of everything that decides its
/// outputs — the kind, the resolved params (parameters substituted, keys sorted), the digest of each input (by
/// input name), the declared output names and the code version. The step's name and the pipeline's are not
/// part of it, so two pipelines running the same step on the same data share the result.
/// <para>Encoding (UTF-8; <c>S(x)</c> is the netstring <c>len(x) ":" x ","</c> with the length in bytes):</para>
/// <code>
/// "mlops.pipelines.step-cache/v1\n"
/// "kind="    S(kind name) "\n"
/// "code="    S(code version) "\n"
/// "params="  V(params) "\n"
/// "inputs="  count ":" { S(name) S(digest) }  (by name, ordinal) "\n"
/// "outputs=" count ":" { S(name) }            (ordinal) "\n"
/// V(scalar) = "s" S(text)
/// V(list)   = "l" count ":" V(item)...        (in order)
/// V(map)    = "m" count ":" { S(key) V(value) } (by key, ordinal)
/// </code>
/// Every part is length- or count-prefixed, so no two different sets of fields encode alike. Scalars are the
/// text written (after substitution): <c>0.05</c> and <c>"0.05"</c> are the same, <c>0.05</c> and <c>0.050</c>
/// are not. Changing the encoding means changing the version line, which invalidates every stored key.
/// </summary>
public static class StepCacheKey
{
    public const string EncodingVersion = "mlops.pipelines.step-cache/v1";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Computes the key. <paramref name="inputDigests"/> maps each input name to the digest of the
    /// artifact it resolved to.</summary>
    public static string Compute(
        StepKind kind,
        MapValue parameters,
        IReadOnlyDictionary<string, string> inputDigests,
        IEnumerable<string> outputs,
        string codeVersion) =>
        Sha256Digest.OfBytes(Encode(kind, parameters, inputDigests, outputs, codeVersion));

    /// <summary>The canonical bytes <see cref="Compute"/> hashes (for tests and for debugging a surprising miss).</summary>
    public static byte[] Encode(
        StepKind kind,
        MapValue parameters,
        IReadOnlyDictionary<string, string> inputDigests,
        IEnumerable<string> outputs,
        string codeVersion)
    {
        foreach (var (name, digest) in inputDigests)
        {
            if (!Sha256Digest.IsValid(digest))
            {
                throw new ArgumentException($"input '{name}' has no valid digest: '{digest}'", nameof(inputDigests));
            }
        }

        var text = new StringBuilder(256);
        text.Append(EncodingVersion).Append('\n');
        text.Append("kind=").Append(S(kind.ToName())).Append('\n');
        text.Append("code=").Append(S(codeVersion)).Append('\n');
        text.Append("params=");
        Value(text, parameters);
        text.Append('\n');
        text.Append("inputs=").Append(inputDigests.Count).Append(':');
        foreach (var (name, digest) in inputDigests.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            text.Append(S(name)).Append(S(digest));
        }

        text.Append('\n');
        var sortedOutputs = outputs.Order(StringComparer.Ordinal).ToList();
        text.Append("outputs=").Append(sortedOutputs.Count).Append(':');
        foreach (var output in sortedOutputs)
        {
            text.Append(S(output));
        }

        text.Append('\n');
        return Utf8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The code version of a command step: its command (canonically encoded) and the digest of its <c>code</c>
    /// artifact, or <c>none</c>. The executor's own version is deliberately left out: the user's command decides
    /// the result, and upgrading the agents should not invalidate every command step's cache.
    /// </summary>
    public static string CommandCodeVersion(MapValue parameters, string? codeDigest)
    {
        var text = new StringBuilder("command ");
        Value(text, parameters["command"] ?? new ListValue([]));
        text.Append(" code=").Append(codeDigest ?? "none");
        return text.ToString();
    }

    private static string S(string value) => $"{Utf8.GetByteCount(value)}:{value},";

    private static void Value(StringBuilder text, PipelineValue value)
    {
        switch (value)
        {
            case ScalarValue scalar:
                text.Append('s').Append(S(scalar.Text));
                break;
            case ListValue list:
                text.Append('l').Append(list.Items.Count).Append(':');
                foreach (var item in list.Items)
                {
                    Value(text, item);
                }

                break;
            case MapValue map:
                text.Append('m').Append(map.Count).Append(':');
                foreach (var (key, item) in map.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    text.Append(S(key));
                    Value(text, item);
                }

                break;
        }
    }
}
