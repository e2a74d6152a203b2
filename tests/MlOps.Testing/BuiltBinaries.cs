namespace MlOps.Testing;

/// <summary>
/// Finds the other projects' built assemblies. The build uses UseArtifactsOutput, so every project lands in
/// <c>artifacts/bin/&lt;Project&gt;/&lt;config&gt;/</c>; a test assembly finds its siblings from its own folder.
/// </summary>
public static class BuiltBinaries
{
    public static string Coordinator => Find("MlOps.Coordinator", "MlOps.Coordinator.dll");

    public static string Agent => Find("MlOps.Agent", "MlOps.Agent.dll");

    public static string Cli => Find("MlOps.Cli", "mlops.dll");

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlOps.Cluster.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Find(string project, string file)
    {
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var config = own.Name;
        var binRoot = own.Parent?.Parent?.FullName ?? throw new InvalidOperationException("unexpected output layout: " + own.FullName);
        var path = Path.Combine(binRoot, project, config, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} not found; build {project} in the '{config}' configuration first", path);
    }
}
