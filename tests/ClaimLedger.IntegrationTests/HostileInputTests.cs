using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Malformed input on every RPC of every service, generated from the compiled protobuf descriptors (an RPC or a field
/// added later is covered without touching this file) and sent as an ADMIN, who passes every permission check, so each
/// request reaches validation and the handlers. Whatever arrives, the answer is a success or a client error — never
/// INTERNAL, UNKNOWN or a hang — and every error reply stays small enough for any HTTP/2 client to accept it.
/// </summary>
public sealed class HostileInputTests(ClaimLedgerServer server, ITestOutputHelper output) : IClassFixture<ClaimLedgerServer>
{
    /// <summary>grpc-message as sent: percent-encoded (gRPC encodes bytes outside printable ASCII, and '%').</summary>
    private const int MaxGrpcMessageBytes = 1024;

    /// <summary>grpc-status-details-bin as sent: the serialized google.rpc.Status, base64-encoded.</summary>
    private const int MaxStatusDetailsBytes = 8 * 1024;

    /// <summary>Twenty violations and one "and N more".</summary>
    private const int MaxFieldViolations = 21;

    private const int OneMiB = 1 << 20;
    private const int ManyItems = 1000;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>WatchLedger streams live until the client leaves: the test leaves after this long.</summary>
    private static readonly TimeSpan LiveStreamWindow = TimeSpan.FromSeconds(2);

    private static readonly HashSet<string> LiveStreams = new(StringComparer.Ordinal) { "claimledger.v1.LedgerService/WatchLedger" };

    private static readonly string Huge = new('w', OneMiB);

    /// <summary>Control characters, bidi and format marks, noncharacters, a percent sign, a surrogate pair.</summary>
    private const string OddText = "\u0000nul \u0001\u001b[31mred\u0007 \r\n\t\u0085 \u200E\u200F\u202Ertl\u202C \uFEFFbom \uFFFE\uFFFF %41 \u00e9 \U0001F600 \u0000";

    private static readonly Timestamp[] BadTimestamps =
    [
        new() { Seconds = 253402300800 },
        new() { Seconds = -62135596801 },
        new() { Seconds = 0, Nanos = -1 },
        new() { Seconds = 0, Nanos = 1_000_000_000 },
    ];

    private static readonly Duration[] BadDurations =
    [
        new() { Seconds = 315576000001 },
        new() { Seconds = 60, Nanos = -1 },
        new() { Seconds = -60, Nanos = 1 },
        new() { Seconds = 0, Nanos = 1_000_000_000 },
    ];

    [Fact]
    public async Task EveryRpc_AnswersMalformedInput_WithBoundedClientErrors_AndKeepsServing()
    {
        var logs = server.CaptureLogs();
        var invoker = server.Authorized(server.AdminKey);
        var calls = Services().SelectMany(s => s.Methods).SelectMany(HostileCalls).ToList();
        calls.Select(c => c.Rpc).Distinct().Count().ShouldBe(Services().Sum(s => s.Methods.Count), "every RPC is called");

        var problems = new ConcurrentQueue<string>();
        var started = Stopwatch.StartNew();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(8, Environment.ProcessorCount * 2) }, async (call, _) =>
        {
            foreach (var problem in await SendAsync(invoker, call))
            {
                problems.Enqueue($"{call}: {problem}");
            }
        });

        output.WriteLine($"{calls.Count} calls to {Services().Sum(s => s.Methods.Count)} RPCs in {started.Elapsed.TotalSeconds:0.0} s");
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception}").ToList();
        problems.ShouldBeEmpty($"{problems.Count} of {calls.Count} calls misbehaved:\n{string.Join("\n", problems.Take(60))}\nServer errors:\n{string.Join("\n", errors.Take(5))}");
        errors.ShouldBeEmpty("only real faults are logged as errors");

        // Still serving, to keyless probes and to a normal write.
        (await new DiagnosticsService.DiagnosticsServiceClient(server.Channel()).PingAsync(new PingRequest(), deadline: DateTime.UtcNow.Add(Deadline)))
            .ShouldBe(new PingResponse());
        (await new Health.HealthClient(server.Channel()).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.Add(Deadline)))
            .Status.ShouldBe(HealthCheckResponse.Types.ServingStatus.Serving);
        var created = await server.Claims().CreateClaimAsync(TestData.NewClaim(), deadline: DateTime.UtcNow.Add(Deadline));
        created.Status.ShouldBe(ClaimStatus.Unverified);
    }

    [Fact]
    public async Task AClientThatHangsUpMidImport_IsLoggedAsACancellation_NotAsAnError()
    {
        var logs = server.CaptureLogs();
        var transfer = new TransferService.TransferServiceClient(server.As("hostile-importer"));
        using var hangUp = new CancellationTokenSource();
        using var call = transfer.ImportClaims(cancellationToken: hangUp.Token);
        await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = new ClaimRecord { Claim = TestData.NewClaim().Claim } });
        await WaitForAsync(() => logs.Entries.Any(e => e.Message.StartsWith("ImportClaim succeeded", StringComparison.Ordinal)), "the first record to be imported");

        await hangUp.CancelAsync();

        (await Should.ThrowAsync<RpcException>(call.ResponseAsync)).StatusCode.ShouldBe(StatusCode.Cancelled);
        await WaitForAsync(() => logs.Entries.Any(IsCancellationOfImport), "the server to log the cancellation");
        var entry = logs.Entries.First(IsCancellationOfImport);
        entry.Level.ShouldBe(LogLevel.Information);
        entry.Exception.ShouldBeNull("a cancellation is one line, without a stack trace");
        logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level} {e.Category}: {e.Message}").ShouldBeEmpty();

        static bool IsCancellationOfImport(LogEntry e) =>
            e.Category.EndsWith("ErrorMappingInterceptor", StringComparison.Ordinal) && e.Message.Contains("ImportClaims", StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatResetsAnImportStream_OnKestrel_IsLoggedAsACancellation_NotAsAnError()
    {
        // Kestrel reports a reset stream as an IOException from the request body, just before it flags the abort.
        var directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "reset-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var process = await Crash.ServerProcess.StartAsync(directory, s =>
            {
                s.Environment["Logging__LogLevel__ClaimLedger.Server.Infrastructure.Grpc.ErrorMappingInterceptor"] = "Information";
                s.Environment["Logging__LogLevel__ClaimLedger.Server.Infrastructure.Behaviors.LoggingBehavior"] = "Information";
            });
            using var reset = new CancellationTokenSource();
            using var call = new TransferService.TransferServiceClient(process.Admin).ImportClaims(cancellationToken: reset.Token);
            await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = new ClaimRecord { Claim = TestData.NewClaim().Claim } });
            await WaitForAsync(() => process.Output.Contains("ImportClaim succeeded", StringComparison.Ordinal), "the first record to be imported");

            await reset.CancelAsync();

            (await Should.ThrowAsync<RpcException>(call.ResponseAsync)).StatusCode.ShouldBe(StatusCode.Cancelled);
            await WaitForAsync(() => process.Output.Contains("ImportClaims ended before its reply", StringComparison.Ordinal), "the server to log the cancellation");
            process.Output.ShouldNotContain("fail:", Case.Sensitive, "a client that leaves is no fault");
            process.Output.ShouldNotContain("crit:", Case.Sensitive);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the OS temp cleaner gets what is left.
            }
        }
    }

    // ---- Sending and judging ------------------------------------------------------------------------------------

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);

    private static async Task<IReadOnlyList<string>> SendAsync(CallInvoker invoker, HostileCall call)
    {
        // A live stream is left by the client after a while (as a real watcher would), not by its deadline.
        using var leave = new CancellationTokenSource(LiveStreams.Contains(call.Rpc) ? LiveStreamWindow : Timeout.InfiniteTimeSpan);
        var options = new CallOptions(deadline: DateTime.UtcNow.Add(Deadline), cancellationToken: leave.Token);
        var method = call.Method;
        var request = call.Request;
        try
        {
            if (method.IsClientStreaming)
            {
                using var upload = invoker.AsyncClientStreamingCall(Raw(method, MethodType.ClientStreaming), null, options);
                try
                {
                    await upload.RequestStream.WriteAsync(request);
                    await upload.RequestStream.CompleteAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or RpcException)
                {
                    // A call refused early ends before the upload does; its status comes with the response.
                }

                await upload.ResponseAsync;
            }
            else if (method.IsServerStreaming)
            {
                using var stream = invoker.AsyncServerStreamingCall(Raw(method, MethodType.ServerStreaming), null, options, request);
                for (var read = 0; read < 100_000 && await stream.ResponseStream.MoveNext(CancellationToken.None); read++)
                {
                }
            }
            else
            {
                await invoker.AsyncUnaryCall(Raw(method, MethodType.Unary), null, options, request);
            }

            return [];
        }
        catch (RpcException e) when (leave.IsCancellationRequested && e.StatusCode == StatusCode.Cancelled)
        {
            return [];
        }
        catch (RpcException e)
        {
            return Judge(e);
        }
    }

    /// <summary>What is wrong with an error reply: a server-side status for a client mistake, a hang, or its size.</summary>
    private static List<string> Judge(RpcException e)
    {
        var problems = new List<string>();
        if (e.StatusCode is StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Unavailable or StatusCode.Cancelled
            or StatusCode.DataLoss)
        {
            problems.Add($"{e.StatusCode} ({Preview(e.Status.Detail)})");
        }

        var messageBytes = PercentEncodedLength(e.Status.Detail);
        if (messageBytes >= MaxGrpcMessageBytes)
        {
            problems.Add($"grpc-message of {messageBytes} bytes ({Preview(e.Status.Detail)})");
        }

        var details = e.Trailers.GetValueBytes("grpc-status-details-bin");
        if (details is not null && Base64Length(details.Length) >= MaxStatusDetailsBytes)
        {
            problems.Add($"grpc-status-details-bin of {Base64Length(details.Length)} bytes ({details.Length} serialized)");
        }

        var violations = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Count ?? 0;
        if (violations > MaxFieldViolations)
        {
            problems.Add($"{violations} field violations");
        }

        return problems;
    }

    private static Method<byte[], byte[]> Raw(MethodDescriptor method, MethodType type) =>
        new(type, method.Service.FullName, method.Name, RawBytes, RawBytes);

    private static int PercentEncodedLength(string text) =>
        Encoding.UTF8.GetBytes(text).Sum(b => b is >= 0x20 and <= 0x7E and not (byte)'%' ? 1 : 3);

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    private static string Preview(string text) => text.Length <= 160 ? text : text[..160] + "…";

    // ---- Generating hostile requests from the descriptors ---------------------------------------------------------

    /// <summary>One request to send: the RPC, what is wrong with it, and the bytes of the message.</summary>
    private sealed record HostileCall(MethodDescriptor Method, string Variant, byte[] Request)
    {
        public string Rpc => $"{Method.Service.FullName}/{Method.Name}";

        public override string ToString() => $"{Rpc} [{Variant}]";
    }

    /// <summary>A field reached from the request through singular or repeated (first item) message fields.</summary>
    private sealed record FieldPath(ImmutableList<FieldDescriptor> Fields)
    {
        public FieldDescriptor Leaf => Fields[^1];

        public override string ToString() => string.Join('.', Fields.Select(f => f.Name));
    }

    /// <summary>Every service declared in the claimledger.v1 .proto files, found from the compiled descriptors.</summary>
    private static IEnumerable<ServiceDescriptor> Services() =>
        typeof(ClaimService).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal) && t.GetProperty("Descriptor")?.GetValue(null) is FileDescriptor)
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
            .Where(f => f.Package == "claimledger.v1")
            .SelectMany(f => f.Services)
            .DistinctBy(s => s.FullName)
            .OrderBy(s => s.FullName, StringComparer.Ordinal);

    private static IEnumerable<HostileCall> HostileCalls(MethodDescriptor method)
    {
        var type = method.InputType;
        var paths = Paths(type, [], ImmutableHashSet.Create(type.FullName)).ToList();
        var strings = paths.Where(p => IsString(p.Leaf) || (p.Leaf.IsMap && IsString(MapKey(p.Leaf)))).ToList();

        HostileCall Call(string variant, IEnumerable<(FieldPath Path, object Value)> settings) => new(method, variant, Build(type, settings).ToByteArray());

        yield return Call("empty", []);

        // Bytes that are no message of this type at all; every RPC (MalformedRequestTests covers them in depth).
        {
            yield return new HostileCall(method, "not protobuf", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
            yield return new HostileCall(method, "truncated", [0x0A, 0x10, 0x41]);
            if (strings.FirstOrDefault(p => IsString(p.Leaf)) is { } text)
            {
                yield return new HostileCall(method, $"{text} not UTF-8", NotUtf8(text));
            }
        }

        // Every string (and string map key) at 1 MiB, three to a request to stay within the 4 MiB message limit.
        foreach (var chunk in strings.Chunk(3))
        {
            yield return Call($"1 MiB in {string.Join(", ", chunk.Select(p => p.ToString()))}", chunk.Select(p => (p, (object)One(p.Leaf, Huge))));
        }

        yield return Call("odd characters in every string", strings.Select(p => (p, (object)One(p.Leaf, OddText))));

        var enums = paths.Where(p => p.Leaf.FieldType == FieldType.Enum).ToList();
        foreach (var number in new[] { 99, -1 })
        {
            yield return Call($"enum number {number} everywhere", enums.Select(p => (p, (object)One(p.Leaf, System.Enum.ToObject(p.Leaf.EnumType.ClrType, number)))));
        }

        var numbers = paths.Where(p => IsNumber(p.Leaf)).ToList();
        foreach (var extreme in new[] { "-1", "max", "min" })
        {
            yield return Call($"every number {extreme}", numbers.Select(p => (p, (object)One(p.Leaf, Number(p.Leaf, extreme)))));
        }

        foreach (var path in paths.Where(p => IsMessage(p.Leaf, Timestamp.Descriptor)))
        {
            foreach (var bad in BadTimestamps)
            {
                yield return Call($"{path} = {{{bad.Seconds}s, {bad.Nanos}ns}}", [(path, One(path.Leaf, bad.Clone()))]);
            }
        }

        foreach (var path in paths.Where(p => IsMessage(p.Leaf, Duration.Descriptor) || (p.Leaf.IsMap && IsMessage(MapValue(p.Leaf), Duration.Descriptor))))
        {
            foreach (var bad in BadDurations)
            {
                yield return Call($"{path} = {{{bad.Seconds}s, {bad.Nanos}ns}}", [(path, One(path.Leaf, bad.Clone()))]);
            }
        }

        foreach (var path in paths.Where(p => IsMessage(p.Leaf, FieldMask.Descriptor)))
        {
            yield return Call($"{path} with a 40 KB path", [(path, new FieldMask { Paths = { new string('p', 40 * 1024) } })]);
            yield return Call($"{path} with {ManyItems} paths", [(path, new FieldMask { Paths = { Enumerable.Range(0, ManyItems).Select(i => $"no_such_field_{i}_{new string('q', 24)}") } })]);
        }

        foreach (var path in paths.Where(p => p.Leaf.IsRepeated))
        {
            yield return Call($"{path} with {ManyItems} malformed items", [(path, Many(path.Leaf))]);
        }

        yield return Call("everything malformed at once", paths.Where(p => p.Fields.Count <= 2).Select(p => (p, One(p.Leaf, Malformed(p.Leaf.IsMap ? MapValue(p.Leaf) : p.Leaf)))));
    }

    /// <summary>A message whose string at <paramref name="path"/> holds bytes that are not UTF-8 (no serializer writes that).</summary>
    private static byte[] NotUtf8(FieldPath path)
    {
        var bytes = new byte[] { 0xC3, 0x28 };
        foreach (var field in path.Fields.Reverse())
        {
            using var buffer = new MemoryStream();
            var output = new CodedOutputStream(buffer);
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(bytes));
            output.Flush();
            bytes = buffer.ToArray();
        }

        return bytes;
    }

    /// <summary>Every field reachable from <paramref name="type"/>, not descending into a message type already on the path.</summary>
    private static IEnumerable<FieldPath> Paths(MessageDescriptor type, ImmutableList<FieldDescriptor> prefix, ImmutableHashSet<string> open)
    {
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            var path = prefix.Add(field);
            yield return new FieldPath(path);
            if (field.FieldType == FieldType.Message && !field.IsMap && !IsWellKnown(field.MessageType) && !open.Contains(field.MessageType.FullName))
            {
                foreach (var inner in Paths(field.MessageType, path, open.Add(field.MessageType.FullName)))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IMessage Build(MessageDescriptor type, IEnumerable<(FieldPath Path, object Value)> settings)
    {
        var root = New(type);
        foreach (var (path, value) in settings)
        {
            var target = root;
            foreach (var field in path.Fields.Take(path.Fields.Count - 1))
            {
                target = Child(target, field);
            }

            Assign(target, path.Leaf, value);
        }

        return root;
    }

    /// <summary>The message held by <paramref name="field"/> (the first item of a repeated field), created when missing.</summary>
    private static IMessage Child(IMessage parent, FieldDescriptor field)
    {
        if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(parent);
            if (list.Count == 0)
            {
                list.Add(New(field.MessageType));
            }

            return (IMessage)list[0]!;
        }

        if (field.Accessor.GetValue(parent) is IMessage existing)
        {
            return existing;
        }

        var created = New(field.MessageType);
        field.Accessor.SetValue(parent, created);
        return created;
    }

    /// <summary>A value for a field: for a repeated field a list of items, for a map a list of entries.</summary>
    private static void Assign(IMessage target, FieldDescriptor field, object value)
    {
        if (field.IsMap)
        {
            var map = (IDictionary)field.Accessor.GetValue(target);
            foreach (var (key, entry) in (IEnumerable<KeyValuePair<object, object>>)value)
            {
                map[key] = entry;
            }
        }
        else if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(target);
            foreach (var item in (IEnumerable<object>)value)
            {
                list.Add(item);
            }
        }
        else
        {
            field.Accessor.SetValue(target, value);
        }
    }

    /// <summary><paramref name="item"/> as the value of <paramref name="field"/>: itself, a one-item list, or a one-entry map.</summary>
    private static object One(FieldDescriptor field, object item)
    {
        if (field.IsMap)
        {
            var key = IsString(MapKey(field)) ? item as string ?? "k" : Malformed(MapKey(field));
            var value = IsString(MapKey(field)) && item is string ? Valid(MapValue(field)) : item;
            return new List<KeyValuePair<object, object>> { new(key, value) };
        }

        return field.IsRepeated ? new List<object> { item } : item;
    }

    /// <summary>A thousand malformed items (or map entries) for a repeated field.</summary>
    private static object Many(FieldDescriptor field)
    {
        if (field.IsMap)
        {
            return Enumerable.Range(0, ManyItems)
                .Select(i => new KeyValuePair<object, object>(IsString(MapKey(field)) ? $"{OddText}{i}" : Malformed(MapKey(field)), Malformed(MapValue(field))))
                .ToList();
        }

        return Enumerable.Range(0, ManyItems).Select(i => field.FieldType == FieldType.String ? $"{OddText}{i}" : Malformed(field)).ToList();
    }

    /// <summary>A malformed value of the field's type; for a message, one whose own fields are all malformed.</summary>
    private static object Malformed(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => OddText,
        FieldType.Bytes => ByteString.CopyFrom(Encoding.UTF8.GetBytes(OddText)),
        FieldType.Bool => true,
        FieldType.Enum => System.Enum.ToObject(field.EnumType.ClrType, 99),
        FieldType.Message when IsMessage(field, Timestamp.Descriptor) => BadTimestamps[0].Clone(),
        FieldType.Message when IsMessage(field, Duration.Descriptor) => BadDurations[1].Clone(),
        FieldType.Message when IsMessage(field, FieldMask.Descriptor) => new FieldMask { Paths = { new string('p', 4096) } },
        FieldType.Message => MalformedMessage(field.MessageType),
        _ => Number(field, "-1"),
    };

    private static IMessage MalformedMessage(MessageDescriptor type)
    {
        var message = New(type);
        foreach (var field in type.Fields.InFieldNumberOrder().Where(f => f.FieldType != FieldType.Message || IsWellKnown(f.MessageType)))
        {
            Assign(message, field, One(field, Malformed(field)));
        }

        return message;
    }

    /// <summary>A valid value, for a map entry whose key is the hostile part.</summary>
    private static object Valid(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Message when IsMessage(field, Duration.Descriptor) => Duration.FromTimeSpan(TimeSpan.FromDays(30)),
        FieldType.Message => New(field.MessageType),
        _ => Number(field, "-1"),
    };

    private static object Number(FieldDescriptor field, string extreme) => (field.FieldType, extreme) switch
    {
        (FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32, "-1") => (object)-1,
        (FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32, "max") => (object)int.MaxValue,
        (FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32, _) => (object)int.MinValue,
        (FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64, "-1") => (object)-1L,
        (FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64, "max") => (object)long.MaxValue,
        (FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64, _) => (object)long.MinValue,
        (FieldType.UInt32 or FieldType.Fixed32, "min") => (object)0u,
        (FieldType.UInt32 or FieldType.Fixed32, _) => (object)uint.MaxValue,
        (FieldType.UInt64 or FieldType.Fixed64, "min") => (object)0ul,
        (FieldType.UInt64 or FieldType.Fixed64, _) => (object)ulong.MaxValue,
        (FieldType.Double, "-1") => (object)double.NaN,
        (FieldType.Double, "max") => (object)double.PositiveInfinity,
        (FieldType.Double, _) => (object)double.MinValue,
        (FieldType.Float, "-1") => (object)float.NaN,
        (FieldType.Float, "max") => (object)float.PositiveInfinity,
        (FieldType.Float, _) => (object)float.MinValue,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.FieldType, "not a number field"),
    };

    private static IMessage New(MessageDescriptor type) => (IMessage)Activator.CreateInstance(type.ClrType)!;

    private static bool IsString(FieldDescriptor field) => field.FieldType == FieldType.String;

    private static bool IsNumber(FieldDescriptor field) => !field.IsMap && field.FieldType is FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32
        or FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt32 or FieldType.Fixed32 or FieldType.UInt64 or FieldType.Fixed64
        or FieldType.Double or FieldType.Float;

    private static bool IsMessage(FieldDescriptor field, MessageDescriptor type) =>
        field.FieldType == FieldType.Message && !field.IsMap && field.MessageType.FullName == type.FullName;

    private static bool IsWellKnown(MessageDescriptor type) => type.File.Package == "google.protobuf";

    private static FieldDescriptor MapKey(FieldDescriptor map) => map.MessageType.FindFieldByNumber(1);

    private static FieldDescriptor MapValue(FieldDescriptor map) => map.MessageType.FindFieldByNumber(2);

    // ---- The server's log -----------------------------------------------------------------------------------------

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(20))
        {
            if (waited > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Waited 10 s for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
