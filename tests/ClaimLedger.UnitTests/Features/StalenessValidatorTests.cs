using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Staleness;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class RunStalenessCheckValidatorTests
{
    private static readonly RunStalenessCheck.Validator Validator = new();

    [Fact]
    public void NoChecks_MeansAll_AndPasses() => Validator.ShouldBeValid(new RunStalenessCheck.Command([], ""));

    [Fact]
    public void EveryCheck_Passes() =>
        Validator.ShouldBeValid(new RunStalenessCheck.Command([StalenessCheck.VerdictExpiry, StalenessCheck.SourceHealth, StalenessCheck.UnsourcedClaims], ""));

    [Fact]
    public void AnUndefinedCheck_FailsOnThatItem() =>
        Validator.ShouldFailOnlyOn(new RunStalenessCheck.Command([StalenessCheck.SourceHealth, (StalenessCheck)99], ""), "checks[1]");

    [Fact]
    public void AThousandUndefinedChecks_AreOneViolationOnTheCount_NotOnePerItem()
    {
        var failures = Validator.ShouldFailOnlyOn(new RunStalenessCheck.Command(Enumerable.Repeat((StalenessCheck)99, 1000).ToList(), ""), "checks");

        failures.Single().ErrorMessage.ShouldBe($"must have at most {RunStalenessCheck.MaxChecks} items");
    }
}

public sealed class SetReviewPolicyValidatorTests
{
    private static readonly SetReviewPolicy.Validator Validator = new();

    private static readonly SetReviewPolicy.Command Valid = new(
        DefaultReviewIntervalSeconds: 90 * 86_400,
        TopicReviewIntervals: new Dictionary<string, long> { ["elections"] = 30 * 86_400 },
        UnsourcedAfterSeconds: 7 * 86_400,
        Etag: "\"2\"",
        RequestId: "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void AHugeTopicKey_IsQuotedShortened()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { TopicReviewIntervals = new Dictionary<string, long> { [new string('t', 30_000)] = 86_400 } },
            "policy.topic_review_intervals[0]");

        failures.Single().ErrorMessage.ShouldStartWith($"topic \"{new string('t', 63)}…\": topics are 1 to 64 characters");
    }

    [Fact]
    public void MoreTopicsThanAllowed_AreOneViolationOnTheCount_NotOnePerTopic()
    {
        var topics = Enumerable.Range(0, SetReviewPolicy.MaxTopics + 1).ToDictionary(i => $"{new string('t', 100)}{i}", _ => 0L);

        var failures = Validator.ShouldFailOnlyOn(Valid with { TopicReviewIntervals = topics }, "policy.topic_review_intervals");

        failures.Single().ErrorMessage.ShouldBe($"must have at most {SetReviewPolicy.MaxTopics} topics");
    }
}
