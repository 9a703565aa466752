using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

#if POSTGRESQL
[assembly: TestFramework("ClaimLedger.IntegrationTests.Infrastructure.EngineTestFramework", "ClaimLedger.IntegrationTests.PostgreSql")]
#endif

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// xunit's own test framework (used by the PostgreSQL build), except that on a machine without the PostgreSQL server
/// binaries every test is reported skipped with <see cref="PostgresServer.SkipReason"/> (what is missing and how to
/// install it) instead of failing on a server that cannot start, and the run ends by saying so. Theories show as one
/// skipped test each; tests with a skip reason of their own keep it. With CLAIMLEDGER_REQUIRE_POSTGRES=1 nothing is
/// skipped: the tests run, and fail saying why.
/// </summary>
public sealed class EngineTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new EngineTestDiscoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new EngineTestExecutor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    /// <summary>Discovers a skipped test case in place of each test when PostgreSQL tests are skipped here.</summary>
    private sealed class EngineTestDiscoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgresServer.SkipReason is not { } reason
                || testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).FirstOrDefault() is not { } fact
                || fact.GetNamedArgument<string?>(nameof(FactAttribute.Skip)) is not null)
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }

    /// <summary>Runs the tests as xunit does; when PostgreSQL tests are skipped here, ends the run by saying how many and why.</summary>
    private sealed class EngineTestExecutor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            if (PostgresServer.SkipReason is not { } reason)
            {
                base.RunTestCases(testCases, executionMessageSink, executionOptions);
                return;
            }

            var all = testCases.ToList();
            var summary = $"{all.Count(t => t.SkipReason == reason)} of {all.Count} PostgreSQL tests SKIPPED: {reason}";
            base.RunTestCases(all, new Announcer(executionMessageSink, DiagnosticMessageSink, summary), executionOptions);
        }
    }

    /// <summary>
    /// Passes the run's messages on, and sends <paramref name="summary"/> as a diagnostic message just before the
    /// assembly's end (this project's xunit.runner.json has the runner show diagnostic messages).
    /// </summary>
    private sealed class Announcer(IMessageSink inner, IMessageSink diagnostics, string summary) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestAssemblyFinished)
            {
                diagnostics.OnMessage(new DiagnosticMessage(summary));
            }

            return inner.OnMessage(message);
        }
    }
}
