using System.Diagnostics;
using System.Globalization;

namespace MlOps.LoadTest.Wrk;

/// <summary>
/// The cross-check against <c>wrk</c> (Debian package wrk, 4.1): the same REST request from a load generator that
/// shares no code with the harness, so a harness number far from wrk's points at the harness, not the server.
/// </summary>
public static class WrkRunner
{
    /// <summary>The environment variable <see cref="Script"/> reads the request body's file name from.</summary>
    public const string BodyVariable = "MLOPS_WRK_BODY";

    /// <summary>The environment variable <see cref="Script"/> reads a bearer token from (not the command line, where
    /// any user of the machine could read it).</summary>
    public const string TokenVariable = "MLOPS_WRK_TOKEN";

    /// <summary>
    /// wrk's Lua script: POST, <c>Content-Type: application/json</c>, the body read from the file
    /// <see cref="BodyVariable"/> names. It is Wrk/infer.lua (for running wrk by hand) embedded in the assembly, so
    /// the harness runs from any build output with one copy of the text.
    /// </summary>
    internal static string Script { get; } = ReadScript();

    private const string Executable = "wrk";

    /// <summary>How long past its own duration wrk may take to print its summary before it is killed.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    /// <summary>Whether a <c>wrk</c> executable is on <c>PATH</c>.</summary>
    public static bool IsAvailable() => FindOnPath(Environment.GetEnvironmentVariable("PATH")) is not null;

    /// <summary>Runs <c>wrk -t T -c C -d Ns --latency -s infer.lua URL</c>, POSTing <paramref name="body"/> on every
    /// request, and parses its summary.</summary>
    /// <param name="inferUri">The absolute http(s) URL to POST to, e.g. <c>http://host:8080/v2/models/m/infer</c>.</param>
    /// <param name="body">The JSON request body.</param>
    /// <param name="connections">Open connections (at least <paramref name="threads"/>).</param>
    /// <param name="threads">wrk's threads (at least 1).</param>
    /// <param name="duration">How long wrk runs; rounded up to whole seconds, at least 1 s.</param>
    /// <param name="cancellationToken">Kills wrk.</param>
    /// <exception cref="LoadTestException">wrk is not installed, exits with an error or prints no summary.</exception>
    public static Task<WrkResult> RunAsync(
        Uri inferUri, byte[] body, int connections, int threads, TimeSpan duration, CancellationToken cancellationToken) =>
        RunAsync(inferUri, body, connections, threads, duration, bearerToken: null, cancellationToken);

    /// <inheritdoc cref="RunAsync(Uri, byte[], int, int, TimeSpan, CancellationToken)"/>
    /// <param name="inferUri">The absolute http(s) URL to POST to.</param>
    /// <param name="body">The JSON request body.</param>
    /// <param name="connections">Open connections (at least <paramref name="threads"/>).</param>
    /// <param name="threads">wrk's threads (at least 1).</param>
    /// <param name="duration">How long wrk runs; rounded up to whole seconds, at least 1 s.</param>
    /// <param name="bearerToken">Sent as <c>Authorization: Bearer</c> on every request when given (through the
    /// environment; wrk presents no client certificate and checks no server certificate).</param>
    /// <param name="cancellationToken">Kills wrk.</param>
    public static async Task<WrkResult> RunAsync(
        Uri inferUri, byte[] body, int connections, int threads, TimeSpan duration, string? bearerToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inferUri);
        ArgumentNullException.ThrowIfNull(body);
        if (!inferUri.IsAbsoluteUri || (inferUri.Scheme != Uri.UriSchemeHttp && inferUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"wrk needs an absolute http or https URL, got '{inferUri}'", nameof(inferUri));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, threads); // wrk refuses fewer connections than threads
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

        var wrk = Locate(Environment.GetEnvironmentVariable("PATH"));
        var seconds = Seconds(duration);
        var work = Directory.CreateTempSubdirectory("mlops-wrk-");
        try
        {
            var bodyPath = Path.Combine(work.FullName, "body.json");
            var scriptPath = Path.Combine(work.FullName, "infer.lua");
            await File.WriteAllBytesAsync(bodyPath, body, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(scriptPath, Script, cancellationToken).ConfigureAwait(false);
            var start = new ProcessStartInfo(wrk)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList =
                {
                    "-t", threads.ToString(CultureInfo.InvariantCulture),
                    "-c", connections.ToString(CultureInfo.InvariantCulture),
                    "-d", $"{seconds.ToString(CultureInfo.InvariantCulture)}s",
                    "--latency",
                    "-s", scriptPath,
                    inferUri.AbsoluteUri,
                },
            };
            start.Environment[BodyVariable] = bodyPath;
            if (!string.IsNullOrEmpty(bearerToken))
            {
                start.Environment[TokenVariable] = bearerToken;
            }
            return await RunProcessAsync(start, TimeSpan.FromSeconds(seconds) + Grace, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteQuietly(work);
        }
    }

    private static string ReadScript()
    {
        using var stream = typeof(WrkRunner).Assembly.GetManifestResourceStream("MlOps.LoadTest.Wrk.infer.lua")
            ?? throw new InvalidOperationException("the wrk script is not embedded in the harness (Wrk/infer.lua)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>wrk's full path from a <c>PATH</c>-style list of directories, or null.</summary>
    internal static string? FindOnPath(string? pathVariable) =>
        (pathVariable ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directory => Path.Combine(directory, Executable))
            .FirstOrDefault(File.Exists);

    /// <inheritdoc cref="FindOnPath"/>
    /// <exception cref="LoadTestException">wrk is not there; the message says how to install it.</exception>
    internal static string Locate(string? pathVariable) =>
        FindOnPath(pathVariable)
        ?? throw new LoadTestException("wrk not found on PATH: install it with `apt-get install wrk` (Debian package wrk) for the cross-check");

    /// <summary>wrk's <c>-d</c> takes whole seconds.</summary>
    internal static long Seconds(TimeSpan duration) => Math.Max(1, (long)Math.Ceiling(duration.TotalSeconds));

    private static async Task<WrkResult> RunProcessAsync(ProcessStartInfo start, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start) ?? throw new LoadTestException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new LoadTestException($"wrk did not finish within {limit.TotalSeconds:0} s and was killed");
        }

        var (output, errors) = (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        var raw = string.IsNullOrWhiteSpace(errors) ? output : $"{output}{errors}";
        if (process.ExitCode != 0)
        {
            throw new LoadTestException($"wrk exited with code {process.ExitCode}: {raw.Trim()}");
        }

        return WrkOutputParser.Parse(output, raw);
    }

    private static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
