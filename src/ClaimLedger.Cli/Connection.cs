using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace ClaimLedger.Cli;

/// <summary>
/// Where the server is and which key to use: the --url/--api-key flags, else $CLAIMLEDGER_URL/$CLAIMLEDGER_API_KEY, else
/// the config file (JSON: {"url": "...", "api_key": "..."}), else http://127.0.0.1:5180 and no key.
/// </summary>
public sealed class Connection : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5180";

    private readonly GrpcChannel _channel;

    private Connection(string url, string? apiKey, string? keySource, HttpMessageHandler? handler)
    {
        Url = url;
        KeySource = keySource;
        _channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = handler is null });
        Invoker = apiKey is null
            ? _channel.CreateCallInvoker()
            : _channel.Intercept(m =>
            {
                m.Add("authorization", $"Bearer {apiKey}");
                return m;
            });
    }

    public string Url { get; }

    public CallInvoker Invoker { get; }

    /// <summary>Where the key came from, for error messages: "--api-key", "CLAIMLEDGER_API_KEY" or "the config file PATH"; null without a key.</summary>
    public string? KeySource { get; }

    public static Connection Open(string? urlFlag, string? keyFlag, string? configFlag, CliEnvironment env)
    {
        var configPath = configFlag ?? env.GetVariable("CLAIMLEDGER_CONFIG") ?? env.DefaultConfigPath;
        var config = ReadConfig(configPath, explicitly: configFlag is not null);
        var url = urlFlag ?? env.GetVariable("CLAIMLEDGER_URL") ?? config?.Url ?? DefaultUrl;
        var (key, keySource) = keyFlag is not null ? (keyFlag, "--api-key")
            : env.GetVariable("CLAIMLEDGER_API_KEY") is { } variable ? (variable, "CLAIMLEDGER_API_KEY")
            : (config?.ApiKey, $"the config file {configPath}");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--url must be an http:// or https:// address, not \"{url}\".");
        }

        return string.IsNullOrWhiteSpace(key)
            ? new Connection(url, null, null, env.HttpHandler)
            : new Connection(url, key.Trim(), keySource, env.HttpHandler);
    }

    public void Dispose() => _channel.Dispose();

    private sealed record ConfigFile(
        [property: System.Text.Json.Serialization.JsonPropertyName("url")] string? Url,
        [property: System.Text.Json.Serialization.JsonPropertyName("api_key")] string? ApiKey);

    private static ConfigFile? ReadConfig(string path, bool explicitly)
    {
        if (!File.Exists(path))
        {
            return explicitly ? throw new UsageException($"The config file {path} does not exist.") : null;
        }

        try
        {
            return JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new UsageException($"The config file {path} is not valid JSON: {e.Message}");
        }
    }
}

/// <summary>A problem with how the CLI was called; exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
