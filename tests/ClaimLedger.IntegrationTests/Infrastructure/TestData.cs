using ClaimLedger.Contracts.V1;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>Builders for requests. Claim texts are distinct sentences so duplicate detection stays quiet unless a test wants it.</summary>
public static class TestData
{
    private static readonly string[] Subjects =
        ["The ministry", "A spokesman", "The governor", "The central bank", "An envoy", "The council", "A senator", "The agency"];

    private static readonly string[] Verbs =
        ["announced", "denied", "confirmed", "reported", "claimed", "promised", "rejected", "disclosed"];

    private static readonly string[] Objects =
        ["grain exports", "a ceasefire", "new tariffs", "drone deliveries", "a budget surplus", "troop movements", "energy subsidies", "vaccine stocks"];

    private static int _counter;

    public static string UniqueText()
    {
        var n = Interlocked.Increment(ref _counter);
        var token = Guid.NewGuid().ToString("N")[..10];
        return $"{Subjects[n % Subjects.Length]} {Verbs[(n / 8) % Verbs.Length]} {Objects[(n / 64 + n) % Objects.Length]} worth {n * 37 + 11} million in region {token}";
    }

    public static CreateClaimRequest NewClaim(string? text = null, params string[] topics) => new()
    {
        Claim = new Claim
        {
            Text = text ?? UniqueText(),
            Claimant = "Ministry of Examples",
            LanguageCode = "en",
            Topics = { topics },
        },
    };

    public static CreateSourceRequest NewSource(string? url = null) => new()
    {
        Source = new Source
        {
            Url = url ?? $"https://news.example.org/articles/{Guid.NewGuid():N}",
            Title = "An example article",
            Publisher = "Example News",
            Kind = SourceKind.NewsArticle,
            Reliability = Reliability.BUsuallyReliable,
        },
    };
}
