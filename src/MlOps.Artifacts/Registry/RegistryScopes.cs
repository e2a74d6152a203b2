namespace MlOps.Artifacts.Registry;

/// <summary>Token scopes (<c>repository:&lt;name&gt;:&lt;actions&gt;</c>) each kind of request needs.</summary>
internal static class RegistryScopes
{
    public static IReadOnlyList<string> None { get; } = [];

    public static IReadOnlyList<string> Pull(string repository) => [$"repository:{repository}:pull"];

    public static IReadOnlyList<string> Push(string repository) => [$"repository:{repository}:pull,push"];

    /// <summary>A cross-repository mount pushes into <paramref name="repository"/> and reads <paramref name="from"/>.</summary>
    public static IReadOnlyList<string> Mount(string repository, string from) => [$"repository:{repository}:pull,push", $"repository:{from}:pull"];
}
