using System.Globalization;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Datasets;

/// <summary>How dataset versions read in tables and details.</summary>
internal static class DatasetText
{
    /// <summary><c>fashion-mnist@1</c>, the form jobs and <c>data show</c> take.</summary>
    public static string Reference(DatasetVersion dataset) => Reference(dataset.Name, dataset.Version.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>NAME@VERSION</c>, or just the name when there is no version, or <c>-</c> when there is neither.</summary>
    public static string Reference(string name, string version) =>
        string.IsNullOrEmpty(name) ? Display.None : string.IsNullOrEmpty(version) ? name : $"{name}@{version}";

    public static long TotalBytes(DatasetVersion dataset) => dataset.Files.Sum(f => f.Size);

    /// <summary>Details of one version, then its files as a table.</summary>
    public static void Write(TextWriter output, DatasetVersion dataset, bool terminal)
    {
        new KeyValueWriter()
            .Add("dataset", Reference(dataset))
            .Add("digest", dataset.Digest)
            .Add("repository", dataset.Repository)
            .Add("format", dataset.Format)
            .Add("train samples", Display.Integer(dataset.TrainCount))
            .Add("test samples", Display.Integer(dataset.TestCount))
            .Add("files", $"{Display.Integer(dataset.Files.Count)} ({Display.Bytes(TotalBytes(dataset))})")
            .Add("created", Display.Time(dataset.CreatedAt))
            .Write(output);
        output.WriteLine();
        var files = new TextTable("file", "digest", "size");
        foreach (var file in dataset.Files)
        {
            files.AddRow(file.Name, file.Digest, Display.Integer(file.Size));
        }

        files.Write(output, terminal);
    }
}
