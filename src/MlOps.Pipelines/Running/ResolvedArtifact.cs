using MlOps.Core.Digests;

namespace MlOps.Pipelines.Running;

/// <summary>
/// An artifact with its content digest: what a step consumes and produces. <see cref="Reference"/> is for people
/// and lineage (e.g. <c>dataset:fashion-mnist-prepared@4</c>); <see cref="Digest"/> (<c>sha256:…</c>, the OCI
/// manifest digest) is what identifies the content and goes into downstream cache keys.
/// </summary>
public sealed record ResolvedArtifact
{
    public ResolvedArtifact(string reference, string digest)
    {
        if (!Sha256Digest.IsValid(digest))
        {
            throw new ArgumentException($"artifact '{reference}' has an invalid digest '{digest}'; expected sha256: and 64 lowercase hex digits", nameof(digest));
        }

        Reference = reference;
        Digest = digest;
    }

    public string Reference { get; }

    public string Digest { get; }

    public override string ToString() => $"{Reference} ({Digest})";
}
