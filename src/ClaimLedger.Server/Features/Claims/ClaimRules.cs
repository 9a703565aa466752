using ClaimLedger.Server.Domain;
using FluentValidation;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>Field rules shared by the claim commands. Limits are part of the API contract (see claims.proto).</summary>
internal static class ClaimRules
{
    public const int MaxTextLength = 2000;
    public const int MaxClaimantLength = 300;
    public const int MaxTopics = 20;
    public const int MaxTopicLength = 64;
    public const int MaxRequestIdLength = 128;
    public static readonly TimeSpan MaxReviewInterval = TimeSpan.FromDays(3650);

    public static IRuleBuilderOptions<T, string> ClaimText<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("is required")
            .MaximumLength(MaxTextLength).WithMessage($"must be at most {MaxTextLength} characters")
            .Must(IsNormalizable).WithMessage("must be Unicode text without U+FFFE (which cannot be normalized)");

    /// <summary>
    /// Whether Unicode normalization accepts the text: claim texts are normalized to compare them
    /// (<see cref="TextSimilarity.Normalize"/>), and the runtime refuses U+FFFE and unpaired surrogates.
    /// </summary>
    public static bool IsNormalizable(string text)
    {
        try
        {
            _ = text.IsNormalized(System.Text.NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static IRuleBuilderOptions<T, string> Claimant<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("is required")
            .MaximumLength(MaxClaimantLength).WithMessage($"must be at most {MaxClaimantLength} characters");

    public static IRuleBuilderOptions<T, IReadOnlyList<Contracts.V1.Party>> Claimants<T>(this IRuleBuilder<T, IReadOnlyList<Contracts.V1.Party>> rule) =>
        rule.Must(p => p.Count <= Reviews.PublishedReviews.MaxClaimants).WithMessage($"must have at most {Reviews.PublishedReviews.MaxClaimants} entries");

    public static IRuleBuilderOptions<T, string> Language<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(LanguageTags.IsWellFormed).WithMessage("must be a BCP-47 language tag such as \"en\" or \"pt-BR\"");

    public static IRuleBuilderOptions<T, IReadOnlyList<string>> Topics<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule) =>
        rule.Must(t => t.Count <= MaxTopics).WithMessage($"must have at most {MaxTopics} entries")
            .Must(t => t.All(x => !string.IsNullOrWhiteSpace(x) && x.Trim().Length <= MaxTopicLength && !x.Any(char.IsControl)))
            .WithMessage($"entries must be 1 to {MaxTopicLength} printable characters");

    public static IRuleBuilderOptions<T, long?> ReviewInterval<T>(this IRuleBuilder<T, long?> rule) =>
        rule.Must(s => s is null || (s > 0 && s <= (long)MaxReviewInterval.TotalSeconds))
            .WithMessage("must be a positive duration of at most 3650 days");

    public static IRuleBuilderOptions<T, string> RequestId<T>(this IRuleBuilder<T, string> rule) =>
        rule.MaximumLength(MaxRequestIdLength).WithMessage($"must be at most {MaxRequestIdLength} characters");

    public static IRuleBuilderOptions<T, string> Etag<T>(this IRuleBuilder<T, string> rule) =>
        rule.MaximumLength(64).WithMessage("is not an etag issued by this server");

    public static IReadOnlyList<string> NormalizeTopics(IEnumerable<string> topics) =>
        topics.Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
