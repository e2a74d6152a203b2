using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using MlOps.Cli.Client;
using MlOps.Cli.References;
using MlOps.Client.Inference;
using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;

namespace MlOps.Cli.Predicting;

/// <summary>
/// <c>mlops predict NAME[:VERSION|@ALIAS] --input FILE.json | --image FILE.png</c>: one inference on a ready replica
/// of deployment NAME (found through the coordinator, retried on another replica when one is unavailable). Without a
/// version the deployment's traffic split picks it; <c>@ALIAS</c> is resolved in the registry and pinned.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var target = new Argument<string>("deployment") { Description = "NAME (traffic split picks the version), NAME:VERSION or NAME@ALIAS", HelpName = "NAME" };
        var input = new Option<string>("--input", "-i") { Description = "Open Inference Protocol request body (JSON); name, datatype and shape may be left out for a single-input model", HelpName = "FILE.json" };
        var image = new Option<string>("--image") { Description = "PNG image, converted to the model's input (gray, resized, normalised as the model records)", HelpName = "FILE.png" };
        var invert = new Option<bool>("--invert") { Description = "Invert the image (a dark object on a light background, unlike Fashion-MNIST)" };
        var top = new Option<int>("--top") { Description = "Classes to show per row for a classifier (default 3)", HelpName = "K", DefaultValueFactory = _ => 3 };
        var command = shared.AddTo(new Command("predict", "Run one inference on a deployment and show the result") { target, input, image, invert, top });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var inputPath = parseResult.GetValue(input);
            var imagePath = parseResult.GetValue(image);
            if (string.IsNullOrEmpty(inputPath) == string.IsNullOrEmpty(imagePath))
            {
                throw new CliException(ExitCodes.Usage, "give exactly one of --input FILE.json or --image FILE.png");
            }

            var reference = RegistryReference.Model(parseResult.GetValue(target)!, allowNewest: true);
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            using var inference = client.CreateInferenceClient();
            var version = await PinnedVersionAsync(client, reference, cancellationToken);

            var request = await BuildRequestAsync(inference, reference.Name, version, inputPath, imagePath, parseResult.GetValue(invert), cancellationToken);
            var watch = Stopwatch.StartNew();
            var response = await ServerCallAsync(() => inference.PredictAsync(request, cancellationToken));
            watch.Stop();

            if (context.Json)
            {
                await context.Out.WriteLineAsync(PredictionText.Json(response));
                return ExitCodes.Ok;
            }

            await PredictionText.WriteAsync(context.Out, response, watch.Elapsed, Math.Max(1, parseResult.GetValue(top)));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>"" (the split decides), the given version, or the alias's version from the registry.</summary>
    private static async Task<string> PinnedVersionAsync(MlOpsClient client, ModelReference reference, CancellationToken cancellationToken)
    {
        if (reference.IsNewest)
        {
            return "";
        }

        var deployment = await client.GetDeploymentAsync(reference.Name, cancellationToken);
        var number = reference.IsAlias
            ? (await client.GetModelVersionAsync(deployment.Spec.Model, 0, reference.Alias, cancellationToken)).Version
            : reference.Version;
        if (deployment.Replicas.All(r => r.Versions.All(v => v.Version != number || v.State != "READY")))
        {
            var served = string.Join(", ", deployment.Traffic.Select(t => $"v{t.Version.ToString(CultureInfo.InvariantCulture)}"));
            var what = reference.IsAlias ? $"{reference} is version {number.ToString(CultureInfo.InvariantCulture)}, which" : $"version {number.ToString(CultureInfo.InvariantCulture)}:";
            var deploy = reference.IsAlias ? $"{deployment.Spec.Model}@{reference.Alias}" : $"{deployment.Spec.Model}:{number.ToString(CultureInfo.InvariantCulture)}";
            throw new CliException(ExitCodes.NotFound,
                $"{what} deployment '{reference.Name}' does not serve it (it serves {served}); 'mlops deploy {deploy} --name {reference.Name}' rolls it out");
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task<ModelInferRequest> BuildRequestAsync(InferenceClient inference, string name, string version,
        string? inputPath, string? imagePath, bool invert, CancellationToken cancellationToken)
    {
        var metadata = await ServerCallAsync(() => inference.MetadataAsync(name, version, cancellationToken));
        ModelInferRequest request;
        try
        {
            if (!string.IsNullOrEmpty(inputPath))
            {
                request = JsonInferenceInput.Load(RequireFile(inputPath), metadata);
            }
            else
            {
                var config = await ServerCallAsync(() => inference.ConfigAsync(name, version, cancellationToken));
                var preprocessing = ImagePreprocessing.FromModelParameters(
                    key => config.Config?.Parameters.TryGetValue(key, out var parameter) == true ? parameter.StringValue : null, invert);
                request = new ModelInferRequest();
                ImageTensor.Create(PngImage.Load(RequireFile(imagePath!)), metadata, preprocessing).AddTo(request);
            }
        }
        catch (InferenceInputException ex)
        {
            throw new CliException(ExitCodes.Usage, $"{inputPath ?? imagePath}: {ex.Message}");
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ExitCodes.Usage, $"{imagePath}: not a usable PNG: {ex.Message}");
        }
        catch (ArgumentException ex) when (imagePath is not null)
        {
            throw new CliException(ExitCodes.Usage, $"model '{name}' records an unusable input normalisation ({ImagePreprocessing.MeanParameter}/{ImagePreprocessing.StdParameter}): {ex.Message}");
        }

        request.ModelName = name;
        request.ModelVersion = version;
        return request;
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new CliException(ExitCodes.NotFound, $"no such file: {path}");

    /// <summary>Errors from the model servers (not the coordinator) with their own wording and exit codes.</summary>
    private static async Task<T> ServerCallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode is not StatusCode.Cancelled)
        {
            var detail = string.IsNullOrWhiteSpace(ex.Status.Detail) ? RpcErrors.StatusName(ex.StatusCode) : ex.Status.Detail;
            throw new CliException(RpcErrors.ExitCodeFor(ex.StatusCode), ex.StatusCode switch
            {
                StatusCode.InvalidArgument or StatusCode.NotFound => detail,
                _ => $"{detail} ({RpcErrors.StatusName(ex.StatusCode)})",
            }, ex) { Status = ex.StatusCode };
        }
    }
}
