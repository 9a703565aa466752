using ClaimLedger.Server.Infrastructure.Hosting;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>The start-up log's account of the first-generation budget (ADR 31), read from the environment as the runtime reads it.</summary>
public sealed class GarbageCollectionTests
{
    [Theory]
    [InlineData("0x2000000", "32 MiB (DOTNET_GCgen0size)")]
    [InlineData("2000000", "32 MiB (DOTNET_GCgen0size)")]
    [InlineData("0X1800000", "24 MiB (DOTNET_GCgen0size)")]
    [InlineData("0x400000", "4 MiB (DOTNET_GCgen0size)")]
    [InlineData("0x180000", "1.5 MiB (DOTNET_GCgen0size)")]
    public void ABudgetInTheEnvironment_IsReadAsHexadecimalBytes(string value, string expected)
    {
        GarbageCollection.DescribeGen0Budget(name => name == "DOTNET_GCgen0size" ? value : null).ShouldBe(expected);
    }

    [Fact]
    public void TheOlderComPlusName_CountsToo_AndTheDotnetNameWins()
    {
        GarbageCollection.DescribeGen0Budget(name => name == "COMPlus_GCgen0size" ? "0x1000000" : null).ShouldBe("16 MiB (DOTNET_GCgen0size)");
        GarbageCollection.DescribeGen0Budget(name => name == "COMPlus_GCgen0size" ? "0x1000000" : "0x2000000").ShouldBe("32 MiB (DOTNET_GCgen0size)");
    }

    [Fact]
    public void NoBudget_SaysTheRuntimeChooses_AndHowToSetOne()
    {
        var text = GarbageCollection.DescribeGen0Budget(_ => null);

        text.ShouldStartWith("the runtime's own");
        text.ShouldContain("DOTNET_GCgen0size=0x2000000");
    }

    [Theory]
    [InlineData("32MB")]
    [InlineData("0x")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData(" 0x400000")]
    public void AValueTheRuntimeCannotUse_IsReportedAsSuch_NotAsABudget(string value)
    {
        GarbageCollection.DescribeGen0Budget(_ => value).ShouldStartWith($"the runtime's own (DOTNET_GCgen0size={value} is not");
    }

    [Fact]
    public void AHugeUnusableValue_IsShortenedInTheLog()
    {
        var text = GarbageCollection.DescribeGen0Budget(_ => new string('z', 500));

        text.Length.ShouldBeLessThan(150);
    }
}
