using System.CommandLine;
using System.Globalization;
using MlOps.Core.Datasets;

namespace MlOps.Cli.Datasets;

/// <summary>
/// <c>mlops data derive SOURCE --out DIR [--brightness B] [--contrast C] [--invert] [--train-fraction F]
/// [--test-fraction F] [--append] [--seed N]</c>: writes a copy of an MNIST-format dataset in which a share of the images
/// is shifted (<see cref="DatasetShift"/>), ready for <c>mlops data push</c>. Works offline; the coordinator is not asked.
/// </summary>
internal static class DataDeriveCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var source = new Argument<string>("source") { Description = "Directory with the four MNIST-format files", HelpName = "SOURCE" };
        var output = new Option<string>("--out", "-o") { Description = "Directory to write the derived files to (created)", HelpName = "DIR", Required = true };
        var brightness = new Option<double>("--brightness") { Description = "Added to every pixel, as a share of the range (-1 to 1)", HelpName = "B" };
        var contrast = new Option<double>("--contrast")
        {
            Description = "Contrast factor around mid-grey (0.5 halves it)", HelpName = "C", DefaultValueFactory = _ => 1.0,
        };
        var invert = new Option<bool>("--invert") { Description = "Invert the images (255 - v) after the other changes" };
        var trainFraction = new Option<double>("--train-fraction")
        {
            Description = "Share of training images shifted (0-1)", HelpName = "F", DefaultValueFactory = _ => 1.0,
        };
        var testFraction = new Option<double>("--test-fraction")
        {
            Description = "Share of test images shifted (0-1)", HelpName = "F", DefaultValueFactory = _ => 1.0,
        };
        var append = new Option<bool>("--append") { Description = "Add the shifted images as copies after the originals instead of replacing them" };
        var seed = new Option<int>("--seed") { Description = "Which images are chosen", HelpName = "N", DefaultValueFactory = _ => 1 };
        var command = new Command("derive", "Write a copy of a dataset with a share of its images shifted (brightness, contrast, inversion)")
        {
            source, output, brightness, contrast, invert, trainFraction, testFraction, append, seed,
        };
        CommandAction.Set(command, environment, (parseResult, _) =>
        {
            var shift = new DatasetShift(parseResult.GetValue(brightness), parseResult.GetValue(contrast), parseResult.GetValue(invert));
            var settings = new DeriveSettings(
                parseResult.GetValue(source)!, parseResult.GetValue(output)!, shift,
                parseResult.GetValue(trainFraction), parseResult.GetValue(testFraction), parseResult.GetValue(append), parseResult.GetValue(seed));
            return Task.FromResult(Run(environment, settings));
        });
        return command;
    }

    internal sealed record DeriveSettings(string Source, string Output, DatasetShift Shift, double TrainFraction, double TestFraction, bool Append, int Seed);

    internal static int Run(CliEnvironment environment, DeriveSettings settings)
    {
        var problems = new List<string>();
        if (settings.Shift.Problem() is { } problem)
        {
            problems.Add("--" + problem);
        }

        if (settings.TrainFraction is < 0 or > 1)
        {
            problems.Add($"--train-fraction must be between 0 and 1, got {settings.TrainFraction.ToString(CultureInfo.InvariantCulture)}");
        }

        if (settings.TestFraction is < 0 or > 1)
        {
            problems.Add($"--test-fraction must be between 0 and 1, got {settings.TestFraction.ToString(CultureInfo.InvariantCulture)}");
        }

        if (settings.Shift.IsIdentity)
        {
            problems.Add("nothing to change: give --brightness, --contrast or --invert");
        }

        if (Path.GetFullPath(settings.Source) == Path.GetFullPath(settings.Output))
        {
            problems.Add("--out must differ from SOURCE (the source files are never overwritten)");
        }

        if (problems.Count > 0)
        {
            throw new CliException(ExitCodes.Usage, string.Join("; ", problems));
        }

        ImageClassificationData data;
        try
        {
            data = MnistFormat.Load(settings.Source);
        }
        catch (DatasetException ex)
        {
            throw new CliException(ExitCodes.Error, $"cannot read {settings.Source}: {ex.Message}", ex);
        }

        var derived = settings.Shift.Derive(data, settings.TrainFraction, settings.TestFraction, settings.Append, settings.Seed);
        var (train, test) = (derived.Train, derived.Test);
        try
        {
            MnistFormat.Save(settings.Output, derived);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Error, $"cannot write {settings.Output}: {ex.Message}", ex);
        }

        var shifted = DatasetShift.ShiftedCount(data.Train.Count, settings.TrainFraction);
        var shiftedTest = DatasetShift.ShiftedCount(data.Test.Count, settings.TestFraction);
        environment.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {settings.Output}: train {train.Count} images ({shifted} shifted), test {test.Count} images ({shiftedTest} shifted); brightness {settings.Shift.Brightness}, contrast {settings.Shift.Contrast}{(settings.Shift.Invert ? ", inverted" : "")}"));
        return ExitCodes.Ok;
    }
}
