using ClaimLedger.SampleLoader;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

// Usage: dotnet run --project samples/SampleLoader [-- SERVER_URL [DATASET_JSON]]
// API key: $CLAIMLEDGER_API_KEY, else the admin key file the server wrote on first start
// ($CLAIMLEDGER_API_KEY_FILE, default src/ClaimLedger.Server/data/admin-api-key).
var url = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("CLAIMLEDGER_URL") ?? "http://127.0.0.1:5180";
var datasetPath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "seed-article.claims.json");
var keyFile = Environment.GetEnvironmentVariable("CLAIMLEDGER_API_KEY_FILE") ?? Path.Combine("src", "ClaimLedger.Server", "data", "admin-api-key");
var key = Environment.GetEnvironmentVariable("CLAIMLEDGER_API_KEY") ?? (File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim() : null);
if (string.IsNullOrEmpty(key))
{
    Console.Error.WriteLine($"No API key: set CLAIMLEDGER_API_KEY, or CLAIMLEDGER_API_KEY_FILE (looked for {Path.GetFullPath(keyFile)}).");
    return 2;
}

using var channel = GrpcChannel.ForAddress(url);
var invoker = channel.CreateCallInvoker().Intercept(m =>
{
    m.Add("authorization", $"Bearer {key}");
    return m;
});
try
{
    var dataset = SampleDataset.Read(datasetPath);
    var result = await dataset.LoadAsync(invoker, Path.GetDirectoryName(Path.GetFullPath(datasetPath))!, Console.Out);
    var origins = result.EvidenceAdded > 0 ? $" ({result.EvidenceAdded} given the article as their origin)" : "";
    Console.WriteLine($"Loaded into {url}: {result.Created} created, {result.AlreadyHeld} already held{origins}.");
    return 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"{url}: {e.StatusCode}: {e.Status.Detail}");
    if (e.StatusCode == StatusCode.Unauthenticated)
    {
        Console.Error.WriteLine("Set CLAIMLEDGER_API_KEY (or CLAIMLEDGER_API_KEY_FILE) to a key of this server.");
    }

    return e.StatusCode == StatusCode.Unavailable ? 3 : 1;
}
