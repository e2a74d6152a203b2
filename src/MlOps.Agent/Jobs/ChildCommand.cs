namespace MlOps.Agent.Jobs;

/// <summary>How to start this agent's own binary again in its <c>train</c> or <c>step</c> role.</summary>
internal static class ChildCommand
{
    /// <summary>The executable and the leading arguments: the apphost directly, or <c>dotnet MlOps.Agent.dll</c>.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) ForTraining() => For("train");

    /// <summary>The same for a built-in step of a command job (<c>step</c>).</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) ForStep() => For("step");

    private static (string FileName, IReadOnlyList<string> Arguments) For(string role)
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(ChildCommand).Assembly.Location;
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost || string.IsNullOrEmpty(processPath)
            ? (processPath, [assembly, role])
            : (processPath, [role]);
    }
}
