namespace MlOps.Artifacts;

/// <summary>Base of the errors an <see cref="IArtifactStore"/> raises; the message names the repository and digest.</summary>
public abstract class ArtifactException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The repository, blob, manifest or tag does not exist.</summary>
public sealed class ArtifactNotFoundException(string message, Exception? inner = null) : ArtifactException(message, inner);

/// <summary>Stored bytes do not match their digest (corrupt or truncated): never served.</summary>
public sealed class ArtifactCorruptException(string message, Exception? inner = null) : ArtifactException(message, inner);

/// <summary>The store cannot be reached (registry down, connection refused, timeout).</summary>
public sealed class ArtifactStoreUnavailableException(string message, Exception? inner = null) : ArtifactException(message, inner);

/// <summary>The registry refused the credentials (401/403 after authenticating).</summary>
public sealed class ArtifactAuthenticationException(string message, Exception? inner = null) : ArtifactException(message, inner);

/// <summary>The content was refused or is not what was asked for: a malformed manifest, a digest that does not match,
/// a manifest of another artifact type, or a registry 4xx answer other than 401/403/404 (its error codes are in the
/// message).</summary>
public sealed class ArtifactInvalidException(string message, Exception? inner = null) : ArtifactException(message, inner);
