namespace MlOps.Serving.Protocol;

/// <summary>
/// Load parameters of Triton's model_repository extension. Overriding the config (<c>config</c>) or uploading
/// files (<c>file:&lt;version&gt;/&lt;name&gt;</c>) is not supported: models come from the artifact registry, so such a
/// load is refused rather than silently loading something else.
/// </summary>
internal static class RepositoryParameters
{
    /// <exception cref="Models.InferenceException">InvalidArgument naming the first unsupported parameter.</exception>
    public static void RejectUnsupported(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (name == "config" || name.StartsWith("file:", StringComparison.Ordinal))
            {
                throw Tensors.TensorLayout.Invalid($"load parameter '{name}' is not supported: models load from the registry only");
            }
        }
    }
}
