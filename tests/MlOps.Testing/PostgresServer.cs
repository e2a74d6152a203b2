using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;

namespace MlOps.Testing;

/// <summary>
/// A real PostgreSQL server (Debian package <c>postgresql</c>) on 127.0.0.1 and a free port, with its data directory,
/// socket and log in a temporary directory; stopped and removed on dispose. <c>initdb</c> refuses to run as root, so
/// under root the directory is handed to the <c>postgres</c> user and the server runs as that user (through
/// <c>runuser</c>); otherwise it runs as the current user. Authentication is <c>trust</c>: connection strings carry no
/// password. Durability is off (<c>fsync</c>, full page writes): a test database never outlives a crash.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    /// <summary>The superuser initdb creates, and the account the server runs as under root.</summary>
    public const string User = "postgres";

    private const string BinariesRoot = "/usr/lib/postgresql";

    private readonly TempDirectory _directory;
    private readonly string _binaries;
    private readonly NpgsqlDataSource _admin;

    private PostgresServer(TempDirectory directory, string binaries, int port)
    {
        _directory = directory;
        _binaries = binaries;
        Port = port;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    /// <summary>Why no server can be started on this machine, or null when one can (skip tests with it).</summary>
    public static string? MissingReason { get; } = FindBinaries() is null
        ? $"PostgreSQL is not installed (no {BinariesRoot}/<version>/bin/initdb): run scripts/test.sh, which installs the Debian package postgresql"
        : null;

    public int Port { get; }

    private string DataDirectory => _directory.Combine("data");

    /// <summary>Creates a cluster with initdb and starts it; about a second.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(MissingReason);
        var directory = new TempDirectory("mlops-postgres");
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["-R", $"{User}:{User}", directory.Path], directory.Path, asServerUser: false);
            }

            await RunAsync(Path.Combine(binaries, "initdb"),
                ["-D", directory.Combine("data"), "-U", User, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
                directory.Path, asServerUser: true);
            return await StartOnFreePortAsync(directory, binaries);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Connection string for <paramref name="database"/> as the superuser, over TCP on loopback.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates an empty database with a unique name (<paramref name="prefix"/>, then random) and returns its
    /// connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = UniqueName(prefix);
        await using var command = _admin.CreateCommand($"CREATE DATABASE {name};");
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// Creates an empty schema with a unique name in the database of <paramref name="databaseConnectionString"/> and
    /// returns a connection string whose search path is that schema alone: what a test creates lands there. Far cheaper
    /// than a database (milliseconds against a third of a second), so tests take one each inside a database per class.
    /// </summary>
    public static async Task<string> CreateSchemaAsync(string databaseConnectionString, string prefix = "test")
    {
        var name = UniqueName(prefix);
        var builder = new NpgsqlConnectionStringBuilder(databaseConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name};", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(databaseConnectionString) { SearchPath = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        try
        {
            // Immediate: nothing here needs a clean shutdown, the directory goes next.
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _directory.Path, asServerUser: true);
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the directory is removed all the same.
        }

        _directory.Dispose();
    }

    private static async Task<PostgresServer> StartOnFreePortAsync(TempDirectory directory, string binaries)
    {
        // FreePort's port may be taken again before the server binds it; a second port almost never is.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var options = string.Join(' ',
                $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {directory.Path}", "-c listen_addresses=127.0.0.1",
                "-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off", "-c max_connections=200");
            try
            {
                await RunAsync(Path.Combine(binaries, "pg_ctl"),
                    ["-D", directory.Combine("data"), "-l", directory.Combine("server.log"), "-w", "-t", "30", "-o", options, "start"],
                    directory.Path, asServerUser: true);
                return new PostgresServer(directory, binaries, port);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
            catch (InvalidOperationException e)
            {
                var log = File.Exists(directory.Combine("server.log")) ? await File.ReadAllTextAsync(directory.Combine("server.log")) : "";
                throw new InvalidOperationException($"{e.Message}\nserver log:\n{log}", e);
            }
        }
    }

    /// <summary>An identifier that needs no quoting: the prefix, then 32 hex digits.</summary>
    private static string UniqueName(string prefix) =>
        prefix.Length > 0 && prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            ? $"{prefix}_{Guid.NewGuid():n}"
            : throw new ArgumentException($"prefix '{prefix}' must be lowercase letters, digits and '_'", nameof(prefix));

    /// <summary>The <c>bin</c> directory of the newest installed PostgreSQL that has initdb and pg_ctl.</summary>
    private static string? FindBinaries() =>
        Directory.Exists(BinariesRoot)
            ? Directory.GetDirectories(BinariesRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

    private static bool IsRoot => GetEffectiveUserId() == 0;

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string workingDirectory, bool asServerUser)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (asServerUser && IsRoot)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(User);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with code {process.ExitCode}:\n{text}");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
