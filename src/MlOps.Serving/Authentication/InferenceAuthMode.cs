namespace MlOps.Serving.Authentication;

/// <summary>Who may call the inference endpoints (docs/security.md ("Inference endpoint authentication")). Health and liveness stay open in every mode.</summary>
public enum InferenceAuthMode
{
    /// <summary>Anyone who reaches the port (the default, and the behaviour before authentication existed).</summary>
    None,

    /// <summary>A bearer token whose SHA-256 is in the <see cref="InferenceCredentialSet"/>.</summary>
    Token,

    /// <summary>A TLS client certificate issued by the cluster CA.</summary>
    Mtls,

    /// <summary>Either a valid token or a cluster client certificate.</summary>
    TokenOrMtls,
}

/// <summary>Configuration names of <see cref="InferenceAuthMode"/>: <c>none</c>, <c>token</c>, <c>mtls</c>, <c>token-or-mtls</c>.</summary>
public static class InferenceAuthModes
{
    /// <summary>The names in the order of the enum, as the configuration spells them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "token", "mtls", "token-or-mtls"];

    public static string Name(this InferenceAuthMode mode) => Names[(int)mode];

    /// <summary>Case-insensitive; an empty or missing value is <see cref="InferenceAuthMode.None"/>.</summary>
    public static bool TryParse(string? text, out InferenceAuthMode mode)
    {
        var trimmed = text?.Trim() ?? "";
        var index = trimmed.Length == 0 ? 0 : Names.ToList().FindIndex(n => string.Equals(n, trimmed, StringComparison.OrdinalIgnoreCase));
        mode = index < 0 ? InferenceAuthMode.None : (InferenceAuthMode)index;
        return index >= 0;
    }

    /// <summary>True for the modes that accept bearer tokens.</summary>
    public static bool AcceptsTokens(this InferenceAuthMode mode) => mode is InferenceAuthMode.Token or InferenceAuthMode.TokenOrMtls;

    /// <summary>True for the modes that accept client certificates (and so need TLS).</summary>
    public static bool AcceptsCertificates(this InferenceAuthMode mode) => mode is InferenceAuthMode.Mtls or InferenceAuthMode.TokenOrMtls;
}
