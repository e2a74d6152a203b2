using System.Diagnostics;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>Writes an htpasswd file with a bcrypt hash (the only kind the registry accepts) using <c>htpasswd -B</c>
/// from the Debian package apache2-utils.</summary>
public static class Htpasswd
{
    public static async Task<string> WriteAsync(string path, string user, string password)
    {
        var start = new ProcessStartInfo("htpasswd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-B", "-b", "-n", "-C", "4", user, password])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "'htpasswd' is not installed: run scripts/test.sh, which installs the Debian package apache2-utils", e);
        }

        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"htpasswd failed ({process.ExitCode}): {error}");
            }

            await File.WriteAllTextAsync(path, output.Trim() + "\n");
            return path;
        }
    }

    /// <summary>The registry's <c>auth:</c> section for an htpasswd file.</summary>
    public static string AuthSection(string path) => $"  htpasswd:\n    realm: mlops-test\n    path: {path}\n";
}
