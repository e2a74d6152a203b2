using System.Text;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>Bytes, files and names for tests; random content so parallel tests never share a digest by accident.</summary>
public static class TestData
{
    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A repository name unique to one test (the stores and the registry are shared between tests).</summary>
    public static string Repository(string prefix = "test") => $"{prefix}/r{Guid.NewGuid():n}";

    public static string WriteFile(string directory, string name, byte[] content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string WriteFile(string directory, string name, string content) => WriteFile(directory, name, Encoding.UTF8.GetBytes(content));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Flips one bit in the middle of a file, as a bad disk or a botched copy would.</summary>
    public static void FlipByte(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = file.Length / 2;
        var value = file.ReadByte();
        file.Position = file.Length / 2;
        file.WriteByte((byte)(value ^ 0x01));
    }
}
