using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimLedger.Contracts.V1;
using Grpc.Core;

namespace ClaimLedger.SampleLoader;

/// <summary>
/// The seed-article sample: one source (the article, identified by its SHA-256) and the checkable claims taken from
/// it, each with the article as ORIGIN evidence, some moved to IN_REVIEW. No verdicts. Every call carries a
/// request id derived from the dataset, so loading twice changes nothing.
/// </summary>
public sealed class SampleDataset
{
    [JsonPropertyName("document")] public required SampleDocument Document { get; init; }
    [JsonPropertyName("claimant")] public required string Claimant { get; init; }
    [JsonPropertyName("language_code")] public required string LanguageCode { get; init; }
    [JsonPropertyName("claims")] public required IReadOnlyList<SampleClaim> Claims { get; init; }

    public static SampleDataset Read(string path) =>
        JsonSerializer.Deserialize<SampleDataset>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty.");

    public sealed record SampleDocument(
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("kind")] string Kind);

    public sealed record SampleClaim(
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("topics")] IReadOnlyList<string> Topics,
        [property: JsonPropertyName("excerpt")] string Excerpt,
        [property: JsonPropertyName("locator")] string Locator,
        [property: JsonPropertyName("start_review")] bool StartReview);

    /// <summary>Loads the dataset; returns the claims as the server holds them afterwards.</summary>
    public async Task<IReadOnlyList<Claim>> LoadAsync(CallInvoker invoker, string datasetDirectory, TextWriter log, CancellationToken ct = default)
    {
        var sources = new SourceService.SourceServiceClient(invoker);
        var claims = new ClaimService.ClaimServiceClient(invoker);
        var bytes = await System.IO.File.ReadAllBytesAsync(Path.Combine(datasetDirectory, Document.File), ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var source = await sources.CreateSourceAsync(new CreateSourceRequest
        {
            Source = new Source
            {
                Title = Document.Title,
                Kind = Enum.Parse<SourceKind>(Document.Kind.Replace("_", ""), ignoreCase: true),
                ContentSha256 = sha,
                Reliability = Reliability.FCannotBeJudged,
            },
            RequestId = $"sample-source-{sha[..16]}",
        }, cancellationToken: ct);
        await log.WriteLineAsync($"source  {source.Name}  {source.Title}");

        var loaded = new List<Claim>();
        for (var i = 0; i < Claims.Count; i++)
        {
            var c = Claims[i];
            var claim = await claims.CreateClaimAsync(new CreateClaimRequest
            {
                Claim = new Claim { Text = c.Text, Claimant = Claimant, LanguageCode = LanguageCode, Topics = { c.Topics } },
                Evidence = { new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = c.Excerpt, Locator = c.Locator } },
                RequestId = $"sample-claim-{sha[..16]}-{i}",
            }, cancellationToken: ct);
            if (c.StartReview)
            {
                claim = await claims.StartReviewAsync(new StartReviewRequest
                {
                    Name = claim.Name,
                    Note = "Sample data: review opened, no verdict.",
                    RequestId = $"sample-review-{sha[..16]}-{i}",
                }, cancellationToken: ct);
            }

            await log.WriteLineAsync($"claim   {claim.Name}  {claim.Status.ToString().ToUpperInvariant(),-10}  {claim.Text}");
            loaded.Add(claim);
        }

        return loaded;
    }
}
