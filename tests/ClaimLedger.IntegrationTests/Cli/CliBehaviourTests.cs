using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// What every command shares: parse errors, help, exit codes for keys, roles and an unreachable server, and where the
/// server address and key come from (flags, then CLAIMLEDGER_URL/CLAIMLEDGER_API_KEY, then the config file).
/// </summary>
public sealed class CliBehaviourTests(CliServer server) : IClassFixture<CliServer>, IDisposable
{
    /// <summary>Nothing listens here: connecting is refused at once.</summary>
    private const string Unreachable = "http://127.0.0.1:1";

    private readonly CliRunner _cli = new(server);
    private readonly string _files = Directory.CreateTempSubdirectory("claimledger-cli-config-").FullName;

    public void Dispose() => Directory.Delete(_files, recursive: true);

    private string ConfigFile(string? url, string? key, string fileName = "config.json")
    {
        var path = Path.Combine(_files, fileName);
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string?> { ["url"] = url, ["api_key"] = key }));
        return path;
    }

    /// <summary>A read that succeeds only when the CLI reached this server with a valid key.</summary>
    private static readonly string[] Probe = ["claim", "list", "--page-size", "1", "--json"];

    private static void ShouldHaveReachedTheServer(CliResult result) =>
        result.Json().ValueKind.ShouldBe(JsonValueKind.Object);

    // ---- parse errors (exit 2, before any connection: the server address is unreachable on purpose)

    [Fact]
    public async Task UnknownOption_IsAUsageError_WithoutContactingTheServer()
    {
        var result = await _cli.RunRawAsync(["claim", "list", "--bogus", "--url", Unreachable]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("error: Unrecognized command or argument '--bogus'.");
        result.Error.ShouldContain("Try --help.");
        result.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task MissingRequiredOption_IsAUsageError_NamingTheOption()
    {
        var result = await _cli.RunRawAsync(["claim", "add", "Some claim", "--url", Unreachable]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("Option '--claimant' is required.");
    }

    [Fact]
    public async Task MissingArgument_IsAUsageError()
    {
        var result = await _cli.RunRawAsync(["claim", "show", "--url", Unreachable]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: ");
    }

    [Fact]
    public async Task UnknownCommand_IsAUsageError()
    {
        var result = await _cli.RunRawAsync(["claim", "frobnicate", "--url", Unreachable]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("'frobnicate'");
    }

    [Fact]
    public async Task OptionOfTheWrongType_IsAUsageError()
    {
        var result = await _cli.RunRawAsync(["claim", "list", "--page-size", "many", "--url", Unreachable]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("many");
    }

    // ---- help

    [Fact]
    public async Task RootHelp_ListsTheCommandGroupsExamplesAndExitCodes()
    {
        var result = await _cli.RunRawAsync(["--help"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldContain("Examples:");
        result.Out.ShouldContain("claimledger claim add \"Example City doubled parking fees\" --claimant \"Example Gazette\" --topic transport");
        result.Out.ShouldContain("Exit codes: 0 ok, 1 failure, 2 usage or invalid request, 3 not found, 4 conflict");
        foreach (var group in new[] { "claim", "source", "evidence", "stale", "ledger", "report", "keys" })
        {
            result.Out.ShouldMatch($@"(?m)^\s+{group}\s+\S");
        }

        result.Out.ShouldContain("--api-key");
        result.Error.ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimAddHelp_ShowsItsOptionsAndAnExample()
    {
        var result = await _cli.RunRawAsync(["claim", "add", "--help"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldContain("Example: claimledger claim add \"Russia opposes regime change in Iran\" --claimant \"Example Daily\"");
        result.Out.ShouldMatch(@"--claimant <claimant> \(REQUIRED\)\s+Who asserted it");
        result.Out.ShouldContain("--origin");
        result.Out.ShouldContain("--review-interval");
        result.Out.ShouldContain("--allow-duplicate");
    }

    // ---- human output when piped

    [Fact]
    public async Task HumanTables_WhenNotInteractive_ArePlainTextWithoutAnsiOrBoxDrawing_AndDoNotWrapNames()
    {
        var keyName = (await _cli.RunAsync("keys", "list", "--json")).Json().Items("apiKeys")
            .Single(k => k.Text("displayName") == "admin").Text("name");

        var result = await _cli.RunAsync("keys", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldMatch($@"{keyName}\s+admin\s+ADMIN\s+cl_");
        result.Out.ShouldNotContain("\u001b");
        result.Out.ShouldNotContain("│");
        result.Out.ShouldNotContain("╭");
    }

    // ---- keys, roles, reachability

    [Fact]
    public async Task NoKey_IsNotPermitted()
    {
        var result = await _cli.RunRawAsync([.. Probe, "--url", server.Url]);

        result.ExitCode.ShouldBe(5, result.ToString());
        result.Error.ShouldContain("code: UNAUTHENTICATED");
    }

    [Fact]
    public async Task UnknownKey_IsNotPermitted()
    {
        var result = await _cli.RunAsAsync("cl_not_a_real_key", Probe);

        result.ExitCode.ShouldBe(5, result.ToString());
        result.Error.ShouldContain("code: UNAUTHENTICATED");
    }

    [Fact]
    public async Task Reader_CanListClaims_ButAddingOneIsNotPermitted_AndWritesNothing()
    {
        var reader = await server.KeyForAsync("reader-cli", Role.Reader);
        var before = Db.Snapshot(server.DatabasePath);

        var read = await _cli.RunAsAsync(reader, Probe);
        var write = await _cli.RunAsAsync(reader, "claim", "add", TestData.UniqueText(), "--claimant", "Example Daily");

        read.ExitCode.ShouldBe(0, read.ToString());
        write.ExitCode.ShouldBe(5, write.ToString());
        write.Error.ShouldContain("code: PERMISSION_DENIED");
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task UnreachableServer_ExitsWith6_AndSaysToCheckTheUrl()
    {
        var result = await _cli.RunRawAsync([.. Probe, "--url", Unreachable, "--api-key", server.AdminKey]);

        result.ExitCode.ShouldBe(6, result.ToString());
        result.Error.ShouldStartWith($"error: could not reach the server at {Unreachable}.");
        result.Error.ShouldContain("Is the server running, and is --url (or CLAIMLEDGER_URL, or \"url\" in the config file) right?");
        result.Error.ShouldContain("code: UNAVAILABLE");
        result.Out.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("127.0.0.1:5180")]
    public async Task MalformedUrl_IsAUsageError(string url)
    {
        var result = await _cli.RunRawAsync([.. Probe, "--url", url, "--api-key", server.AdminKey]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain($"--url must be an http:// or https:// address, not \"{url}\".");
    }

    // ---- where the address and the key come from

    [Fact]
    public async Task FlagUrl_BeatsTheEnvironment()
    {
        _cli.Variables["CLAIMLEDGER_URL"] = Unreachable;
        _cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;
        var flagRight = await _cli.RunRawAsync([.. Probe, "--url", server.Url]);

        _cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        var flagWrong = await _cli.RunRawAsync([.. Probe, "--url", Unreachable]);

        ShouldHaveReachedTheServer(flagRight);
        flagWrong.ExitCode.ShouldBe(6, flagWrong.ToString());
    }

    [Fact]
    public async Task FlagKey_BeatsTheEnvironment()
    {
        _cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        _cli.Variables["CLAIMLEDGER_API_KEY"] = "cl_not_a_real_key";
        var flagRight = await _cli.RunRawAsync([.. Probe, "--api-key", server.AdminKey]);

        _cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;
        var flagWrong = await _cli.RunRawAsync([.. Probe, "--api-key", "cl_not_a_real_key"]);

        ShouldHaveReachedTheServer(flagRight);
        flagWrong.ExitCode.ShouldBe(5, flagWrong.ToString());
    }

    [Fact]
    public async Task EnvironmentAlone_IsEnough()
    {
        _cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        _cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;

        ShouldHaveReachedTheServer(await _cli.RunRawAsync(Probe));
    }

    [Fact]
    public async Task EnvironmentUrlAndKey_BeatTheConfigFile()
    {
        var config = ConfigFile(Unreachable, "cl_not_a_real_key");
        _cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        _cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;
        var envRight = await _cli.RunRawAsync([.. Probe, "--config", config]);

        var wrongUrlInEnv = ConfigFile(server.Url, server.AdminKey, "right.json");
        _cli.Variables["CLAIMLEDGER_URL"] = Unreachable;
        var envUrlWrong = await _cli.RunRawAsync([.. Probe, "--config", wrongUrlInEnv]);
        _cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        _cli.Variables["CLAIMLEDGER_API_KEY"] = "cl_not_a_real_key";
        var envKeyWrong = await _cli.RunRawAsync([.. Probe, "--config", wrongUrlInEnv]);

        ShouldHaveReachedTheServer(envRight);
        envUrlWrong.ExitCode.ShouldBe(6, envUrlWrong.ToString());
        envKeyWrong.ExitCode.ShouldBe(5, envKeyWrong.ToString());
    }

    [Fact]
    public async Task ConfigFile_GivenWithConfigFlag_SuppliesUrlAndKey()
    {
        var config = ConfigFile(server.Url, server.AdminKey);

        var result = await _cli.RunRawAsync([.. Probe, "--config", config]);

        ShouldHaveReachedTheServer(result);
    }

    [Fact]
    public async Task ConfigFile_FromTheConfigVariable_SuppliesUrlAndKey()
    {
        _cli.Variables["CLAIMLEDGER_CONFIG"] = ConfigFile(server.Url, server.AdminKey);

        ShouldHaveReachedTheServer(await _cli.RunRawAsync(Probe));
    }

    [Fact]
    public async Task ConfigFile_AtTheDefaultPath_IsReadWhenNothingElseIsGiven()
    {
        _cli.DefaultConfigPath = ConfigFile(server.Url, server.AdminKey, "default-config.json");

        ShouldHaveReachedTheServer(await _cli.RunRawAsync(Probe));
    }

    [Fact]
    public async Task FlagUrl_BeatsTheConfigFile_WhileTheConfigStillSuppliesTheKey()
    {
        var config = ConfigFile(Unreachable, server.AdminKey);

        var result = await _cli.RunRawAsync([.. Probe, "--config", config, "--url", server.Url]);

        ShouldHaveReachedTheServer(result);
    }

    [Fact]
    public async Task ConfigFile_ThatDoesNotExist_IsAUsageError_WhenGivenExplicitly()
    {
        var missing = Path.Combine(_files, "missing.json");

        var result = await _cli.RunRawAsync([.. Probe, "--config", missing, "--url", server.Url, "--api-key", server.AdminKey]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain($"The config file {missing} does not exist.");
    }

    [Fact]
    public async Task ConfigFile_ThatIsNotJson_IsAUsageError()
    {
        var path = Path.Combine(_files, "broken.json");
        await File.WriteAllTextAsync(path, "url = http://127.0.0.1:5180");

        var result = await _cli.RunRawAsync([.. Probe, "--config", path]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain($"The config file {path} is not valid JSON");
    }

    [Fact]
    public async Task NothingGiven_UsesTheDefaultAddress_NotThisServer()
    {
        // No address from flags, variables or config: the CLI goes to http://127.0.0.1:5180, which this test server never
        // uses; with this server's key it would succeed here, so anything but 5 or 6 means it found this server.
        _cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;

        var result = await _cli.RunRawAsync(Probe);

        new[] { 5, 6 }.ShouldContain(result.ExitCode, result.ToString());
    }

    // ---- the built executable

    [Fact]
    public async Task Executable_Help_ExitsZero_AndPrintsUsage()
    {
        var result = await CliRunner.RunProcessAsync(new Dictionary<string, string?>(), "--help");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldContain("claimledger [command] [options]");
        result.Out.ShouldContain("Examples:");
        result.Out.ShouldNotContain("\u001b");
    }

    [Fact]
    public async Task Executable_ClaimAdd_UsesTheEnvironment_ReachesTheServerOverLoopback_AndPrintsJson()
    {
        var text = TestData.UniqueText();
        var environment = new Dictionary<string, string?> { ["CLAIMLEDGER_URL"] = server.Url, ["CLAIMLEDGER_API_KEY"] = server.AdminKey };

        var added = await CliRunner.RunProcessAsync(environment, "claim", "add", text, "--claimant", "Process Daily", "--topic", "process", "--json");
        var missing = await CliRunner.RunProcessAsync(environment, "claim", "show", "claims/" + new string('0', 32));

        var claim = added.Json();
        claim.Text("text").ShouldBe(text);
        claim.Text("status").ShouldBe("UNVERIFIED");
        var stored = await server.Claims().GetClaimAsync(new GetClaimRequest { Name = claim.Text("name") });
        stored.Claimant.ShouldBe("Process Daily");
        stored.Topics.ShouldBe(["process"]);
        missing.ExitCode.ShouldBe(3, missing.ToString());
        missing.Error.ShouldContain("code: NOT_FOUND");
    }
}
