using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class ClaimWorkflowTests
{
    private const string ClaimName = "claims/0123456789abcdef0123456789abcdef";

    /// <summary>Every (from, to) pair over the five real statuses, written out by hand: the contract, not the code.</summary>
    public static TheoryData<ClaimStatus, ClaimStatus, bool> AllPairs => new()
    {
        { ClaimStatus.Unverified, ClaimStatus.Unverified, false },
        { ClaimStatus.Unverified, ClaimStatus.InReview, true },
        { ClaimStatus.Unverified, ClaimStatus.Verified, false },
        { ClaimStatus.Unverified, ClaimStatus.Stale, false },
        { ClaimStatus.Unverified, ClaimStatus.Retracted, true },

        { ClaimStatus.InReview, ClaimStatus.Unverified, false },
        { ClaimStatus.InReview, ClaimStatus.InReview, false },
        { ClaimStatus.InReview, ClaimStatus.Verified, true },
        { ClaimStatus.InReview, ClaimStatus.Stale, false },
        { ClaimStatus.InReview, ClaimStatus.Retracted, true },

        { ClaimStatus.Verified, ClaimStatus.Unverified, false },
        { ClaimStatus.Verified, ClaimStatus.InReview, false },
        { ClaimStatus.Verified, ClaimStatus.Verified, false },
        { ClaimStatus.Verified, ClaimStatus.Stale, true },
        { ClaimStatus.Verified, ClaimStatus.Retracted, true },

        { ClaimStatus.Stale, ClaimStatus.Unverified, false },
        { ClaimStatus.Stale, ClaimStatus.InReview, true },
        { ClaimStatus.Stale, ClaimStatus.Verified, false },
        { ClaimStatus.Stale, ClaimStatus.Stale, false },
        { ClaimStatus.Stale, ClaimStatus.Retracted, true },

        { ClaimStatus.Retracted, ClaimStatus.Unverified, false },
        { ClaimStatus.Retracted, ClaimStatus.InReview, false },
        { ClaimStatus.Retracted, ClaimStatus.Verified, false },
        { ClaimStatus.Retracted, ClaimStatus.Stale, false },
        { ClaimStatus.Retracted, ClaimStatus.Retracted, false },
    };

    /// <summary>The allowed next statuses of each status as the error names them (proto names, in this order).</summary>
    private static readonly Dictionary<ClaimStatus, string> AllowedText = new()
    {
        [ClaimStatus.Unverified] = "IN_REVIEW, RETRACTED",
        [ClaimStatus.InReview] = "VERIFIED, RETRACTED",
        [ClaimStatus.Verified] = "STALE, RETRACTED",
        [ClaimStatus.Stale] = "IN_REVIEW, RETRACTED",
        [ClaimStatus.Retracted] = "none (RETRACTED is final)",
    };

    private static readonly Dictionary<ClaimStatus, string> AllowedMetadata = new()
    {
        [ClaimStatus.Unverified] = "IN_REVIEW,RETRACTED",
        [ClaimStatus.InReview] = "VERIFIED,RETRACTED",
        [ClaimStatus.Verified] = "STALE,RETRACTED",
        [ClaimStatus.Stale] = "IN_REVIEW,RETRACTED",
        [ClaimStatus.Retracted] = "",
    };

    private static readonly Dictionary<ClaimStatus, string> ProtoName = new()
    {
        [ClaimStatus.Unverified] = "UNVERIFIED",
        [ClaimStatus.InReview] = "IN_REVIEW",
        [ClaimStatus.Verified] = "VERIFIED",
        [ClaimStatus.Stale] = "STALE",
        [ClaimStatus.Retracted] = "RETRACTED",
    };

    [Fact]
    public void AllPairs_CoversEveryPairOfTheFiveRealStatusesExactlyOnce()
    {
        var real = new[] { ClaimStatus.Unverified, ClaimStatus.InReview, ClaimStatus.Verified, ClaimStatus.Stale, ClaimStatus.Retracted };
        var pairs = AllPairs.Select(row => ((ClaimStatus)row[0], (ClaimStatus)row[1])).ToList();

        pairs.Count.ShouldBe(25);
        pairs.Distinct().Count().ShouldBe(25);
        pairs.ShouldBe(real.SelectMany(from => real.Select(to => (from, to))), ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_MatchesTheTransitionTable(ClaimStatus from, ClaimStatus to, bool allowed)
    {
        ClaimWorkflow.CanMove(from, to).ShouldBe(allowed);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void EnsureCanMove_PassesLegalMovesAndRejectsIllegalOnesNamingTheAllowedStatuses(ClaimStatus from, ClaimStatus to, bool allowed)
    {
        if (allowed)
        {
            Should.NotThrow(() => ClaimWorkflow.EnsureCanMove(ClaimName, from, to));
            return;
        }

        var e = Should.Throw<FailedPreconditionException>(() => ClaimWorkflow.EnsureCanMove(ClaimName, from, to));
        e.Reason.ShouldBe("ILLEGAL_TRANSITION");
        e.Subject.ShouldBe(ClaimName);
        e.Message.ShouldBe(
            $"{ClaimName} is {ProtoName[from]} and cannot move to {ProtoName[to]}; allowed next statuses: {AllowedText[from]}.");
        e.Metadata["from"].ShouldBe(ProtoName[from]);
        e.Metadata["to"].ShouldBe(ProtoName[to]);
        e.Metadata["allowed"].ShouldBe(AllowedMetadata[from]);
    }

    [Fact]
    public void EnsureCanMove_FromRetracted_ThrowsFailedPreconditionNamingNoAllowedStatus()
    {
        var e = Should.Throw<FailedPreconditionException>(() => ClaimWorkflow.EnsureCanMove(ClaimName, ClaimStatus.Retracted, ClaimStatus.InReview));

        e.Reason.ShouldBe("ILLEGAL_TRANSITION");
        e.Message.ShouldContain("none (RETRACTED is final)");
        e.Metadata["allowed"].ShouldBeEmpty();
    }

    [Fact]
    public void EnsureCanMove_FromUnverifiedToVerified_NamesInReviewAndRetractedAsAllowed()
    {
        var e = Should.Throw<FailedPreconditionException>(() => ClaimWorkflow.EnsureCanMove(ClaimName, ClaimStatus.Unverified, ClaimStatus.Verified));

        e.Message.ShouldContain("IN_REVIEW, RETRACTED");
        e.Metadata["allowed"].ShouldBe("IN_REVIEW,RETRACTED");
    }

    [Theory]
    [InlineData(ClaimStatus.Unverified, new[] { ClaimStatus.InReview, ClaimStatus.Retracted })]
    [InlineData(ClaimStatus.InReview, new[] { ClaimStatus.Verified, ClaimStatus.Retracted })]
    [InlineData(ClaimStatus.Verified, new[] { ClaimStatus.Stale, ClaimStatus.Retracted })]
    [InlineData(ClaimStatus.Stale, new[] { ClaimStatus.InReview, ClaimStatus.Retracted })]
    [InlineData(ClaimStatus.Retracted, new ClaimStatus[0])]
    public void AllowedFrom_ListsExactlyTheAllowedNextStatuses(ClaimStatus from, ClaimStatus[] expected)
    {
        ClaimWorkflow.AllowedFrom(from).ShouldBe(expected);
    }

    [Fact]
    public void AllowedFrom_Unspecified_IsEmpty_AndNoMoveFromItIsLegal()
    {
        ClaimWorkflow.AllowedFrom(ClaimStatus.Unspecified).ShouldBeEmpty();
        ClaimWorkflow.CanMove(ClaimStatus.Unspecified, ClaimStatus.InReview).ShouldBeFalse();
    }

    [Fact]
    public void CanMove_ToUnspecified_IsNeverLegal()
    {
        foreach (var from in new[] { ClaimStatus.Unverified, ClaimStatus.InReview, ClaimStatus.Verified, ClaimStatus.Stale, ClaimStatus.Retracted })
        {
            ClaimWorkflow.CanMove(from, ClaimStatus.Unspecified).ShouldBeFalse();
        }
    }
}
