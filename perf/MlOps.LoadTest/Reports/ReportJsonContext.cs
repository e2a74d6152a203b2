using System.Text.Json.Serialization;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Source-generated serialization for <see cref="LoadReport"/>: no reflection at run time, and a field the generator
/// cannot handle fails the build instead of the first report. Non-finite numbers are written as strings (a run with
/// no requests can have a NaN mean) rather than failing the whole report.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
