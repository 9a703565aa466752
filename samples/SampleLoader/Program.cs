using ClaimLedger.SampleLoader;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

// Usage: dotnet run --project samples/SampleLoader [-- SERVER_URL [DATASET_JSON]]
var url = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("CLAIMLEDGER_URL") ?? "http://127.0.0.1:5180";
var datasetPath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "seed-article.claims.json");

using var channel = GrpcChannel.ForAddress(url);
var invoker = channel.CreateCallInvoker().Intercept(m =>
{
    m.Add("x-claimledger-actor", "sample-loader");
    return m;
});
try
{
    var dataset = SampleDataset.Read(datasetPath);
    var claims = await dataset.LoadAsync(invoker, Path.GetDirectoryName(Path.GetFullPath(datasetPath))!, Console.Out);
    Console.WriteLine($"Loaded {claims.Count} sample claims into {url}.");
    return 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"{url}: {e.StatusCode}: {e.Status.Detail}");
    return e.StatusCode == StatusCode.Unavailable ? 3 : 1;
}
