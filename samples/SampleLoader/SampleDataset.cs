using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimLedger.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.SampleLoader;

/// <summary>
/// The seed-article sample: one source (the article, identified by its SHA-256) and the checkable claims taken from
/// it, each with the article as ORIGIN evidence, some moved to IN_REVIEW. No verdicts. Claims the server already holds
/// are left as they are (see <see cref="LoadAsync"/>), so loading twice, or after the CLI import of the same sample,
/// changes nothing.
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

    /// <summary>What a load did: the sample's claims as the server holds them afterwards, and how many were new.</summary>
    public sealed record LoadResult(IReadOnlyList<Claim> Claims, int Created, int AlreadyHeld, int EvidenceAdded);

    /// <summary>
    /// Loads the dataset the way `claimledger import samples/seed-article.claims.jsonl` would: a claim the server already
    /// holds (a near-duplicate, however it got there) is kept as it is and only gets the article as ORIGIN evidence if it
    /// lacks it. So loading after the CLI import, or twice, adds nothing, and importing after loading finds only duplicates.
    /// </summary>
    public async Task<LoadResult> LoadAsync(CallInvoker invoker, string datasetDirectory, TextWriter log, CancellationToken ct = default)
    {
        var sources = new SourceService.SourceServiceClient(invoker);
        var claims = new ClaimService.ClaimServiceClient(invoker);
        var evidence = new EvidenceService.EvidenceServiceClient(invoker);
        var bytes = await System.IO.File.ReadAllBytesAsync(Path.Combine(datasetDirectory, Document.File), ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // A URL-less source is identified by its content hash: registering it again returns the same source and writes
        // nothing, so this call needs no request id (one would be stored even when nothing else is).
        var source = await sources.CreateSourceAsync(new CreateSourceRequest
        {
            Source = new Source
            {
                Title = Document.Title,
                Kind = Enum.Parse<SourceKind>(Document.Kind.Replace("_", ""), ignoreCase: true),
                ContentSha256 = sha,
                Reliability = Reliability.FCannotBeJudged,
            },
        }, cancellationToken: ct);
        await log.WriteLineAsync($"source  {source.Name}  {source.Title}");

        var loaded = new List<Claim>();
        int created = 0, held = 0, attached = 0;
        for (var i = 0; i < Claims.Count; i++)
        {
            var c = Claims[i];
            var origin = new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = c.Excerpt, Locator = c.Locator };
            // Held already? The same near-duplicate test the server applies to CreateClaim and to imports.
            var existing = (await claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = c.Text, PageSize = 1 }, cancellationToken: ct))
                .Claims.FirstOrDefault()?.Claim.Name;
            Claim? claim = null;
            if (existing is null)
            {
                try
                {
                    claim = await claims.CreateClaimAsync(new CreateClaimRequest
                    {
                        Claim = new Claim { Text = c.Text, Claimant = Claimant, LanguageCode = LanguageCode, Topics = { c.Topics } },
                        Evidence = { origin },
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

                    created++;
                }
                catch (RpcException e) when (NearDuplicateOf(e) is { } twin)
                {
                    // Recorded between the check and the call.
                    existing = twin;
                }
            }

            var note = "";
            if (existing is not null)
            {
                // Kept as it is, as the import keeps it; it only gets the article as its origin if it lacks that.
                claim = await claims.GetClaimAsync(new GetClaimRequest { Name = existing }, cancellationToken: ct);
                var origins = await evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, Stance = Stance.Origin, PageSize = 100 },
                    cancellationToken: ct);
                if (origins.Evidence.Any(item => item.Source == source.Name))
                {
                    note = "  (already held)";
                }
                else
                {
                    await evidence.AddEvidenceAsync(new AddEvidenceRequest
                    {
                        Parent = claim.Name, Evidence = origin, RequestId = $"sample-evidence-{sha[..16]}-{i}",
                    }, cancellationToken: ct);
                    note = "  (already held; the article added as its origin)";
                    attached++;
                }

                held++;
            }

            await log.WriteLineAsync($"claim   {claim!.Name}  {StatusName(claim.Status),-10}  {claim.Text}{note}");
            loaded.Add(claim);
        }

        return new LoadResult(loaded, created, held, attached);
    }

    /// <summary>The claim a NEAR_DUPLICATE_CLAIM error names (the most similar first), or null for any other error.</summary>
    private static string? NearDuplicateOf(RpcException e)
    {
        var status = e.GetRpcStatus();
        if (e.StatusCode != StatusCode.AlreadyExists || status?.GetDetail<ErrorInfo>() is not { Reason: "NEAR_DUPLICATE_CLAIM" } info)
        {
            return null;
        }

        return info.Metadata.TryGetValue("similar_claims", out var names) && names.Split(',')[0] is { Length: > 0 } first
            ? first
            : status.GetDetail<ResourceInfo>()?.ResourceName;
    }

    /// <summary>ClaimStatus.InReview → IN_REVIEW, as the API names it.</summary>
    private static string StatusName(ClaimStatus status) =>
        string.Concat(status.ToString().Select((ch, i) => i > 0 && char.IsUpper(ch) ? $"_{ch}" : $"{ch}")).ToUpperInvariant();
}
