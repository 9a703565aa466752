using ClaimLedger.Server.Infrastructure.Hosting;

namespace ClaimLedger.UnitTests.Infrastructure;

public sealed class NativeHeapTests
{
    [Fact]
    public void OnLinuxWithGlibc_TheArenaCapIsTaken()
    {
        // The project's machines (and its CI) run Debian: glibc's mallopt must accept the cap.
        OperatingSystem.IsLinux().ShouldBeTrue();
        NativeHeap.TryLimitArenas(NativeHeap.DefaultArenas).ShouldBeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void ZeroOrLess_LeavesTheCLibrarysDefault(int arenas) =>
        NativeHeap.TryLimitArenas(arenas).ShouldBeFalse();
}
