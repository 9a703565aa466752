using ClaimLedger.Server.Features.Claims;

namespace ClaimLedger.UnitTests.Features;

public sealed class ClaimRulesTests
{
    [Fact]
    public void NormalizeTopics_TrimsLowerCasesDeduplicatesAndSorts()
    {
        ClaimRules.NormalizeTopics(["  Ukraine ", "drones", "UKRAINE", "Air Defence"]).ShouldBe(["air defence", "drones", "ukraine"]);
    }

    [Fact]
    public void NormalizeTopics_OfNone_IsEmpty()
    {
        ClaimRules.NormalizeTopics([]).ShouldBeEmpty();
    }
}
