namespace MlOps.Agent.Jobs;

/// <summary>How to start this agent's own binary again in its <c>train</c> role.</summary>
internal static class ChildCommand
{
    /// <summary>The executable and the leading arguments: the apphost directly, or <c>dotnet MlOps.Agent.dll</c>.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) ForTraining()
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(ChildCommand).Assembly.Location;
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost || string.IsNullOrEmpty(processPath)
            ? (processPath, [assembly, "train"])
            : (processPath, ["train"]);
    }
}
