using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// Binds the methods of a generated gRPC service (every service mapped with MapGrpcService: ours, health and
/// reflection) as grpc-dotnet's default provider does — same routes, same per-call invokers over the service's public
/// methods, same endpoint metadata, same interceptors — except that each request is parsed by
/// <see cref="RequestParsing.Guard{T}"/>. grpc-dotnet parses a unary or server-streaming request before any interceptor
/// runs and answers a parse failure UNKNOWN, logged as an error; with the guard, bytes that are not a valid request
/// message are INVALID_ARGUMENT, reason MALFORMED_REQUEST, like any other client mistake.
/// Replaces the default provider (<see cref="RequestParsingRegistration.AddRequestParsing"/>): both would bind the
/// same routes.
/// </summary>
internal sealed class ParsingServiceMethodProvider<TService>(IServiceProvider services, ILoggerFactory loggers) : IServiceMethodProvider<TService>
    where TService : class
{
    private readonly ILogger _logger = loggers.CreateLogger(typeof(RequestParsing).FullName!);

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        // Duplicate routes would only show at the first call (as an ambiguous match): refuse to start instead.
        if (services.GetServices<IServiceMethodProvider<TService>>().Any(p => RequestParsingRegistration.IsGrpcDefault(p.GetType())))
        {
            throw new InvalidOperationException(
                $"grpc-dotnet's default method provider is registered again after {nameof(RequestParsingRegistration.AddRequestParsing)}; " +
                $"{typeof(TService).Name} would be bound twice. Call {nameof(RequestParsingRegistration.AddRequestParsing)} after AddGrpc.");
        }

        if (context.Argument is ServerServiceDefinition)
        {
            // Mapped from a ServerServiceDefinition, not a generated class: grpc-dotnet's definition provider binds it.
            return;
        }

        var bind = BindMethod(typeof(TService))
            ?? throw new InvalidOperationException(
                $"{typeof(TService).Name} is not a generated gRPC service: no [BindServiceMethod] on it or its base types.");

        // BindService(ServiceBinderBase, TServiceBase?): the second parameter is the generated base class, whose
        // virtual methods the service overrides. Called without an instance, it only declares the methods.
        var binder = new Binder(context, bind.GetParameters()[1].ParameterType, _logger);
        try
        {
            bind.Invoke(null, [binder, null]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"Error binding gRPC service '{typeof(TService).Name}'.", e.InnerException);
        }
    }

    /// <summary>The static BindService method named by the [BindServiceMethod] on the service or its nearest base type.</summary>
    private static MethodInfo? BindMethod(System.Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>() is { } attribute)
            {
                return attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
            }
        }

        return null;
    }

    /// <summary>Adds each method declared by BindService, with its request parsing guarded.</summary>
    private sealed class Binder(ServiceMethodProviderContext<TService> context, System.Type serviceBase, ILogger logger) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(Guarded(method), metadata, invoker);
        }

        /// <summary>The same method (type, service, name, response marshaller) with a guarded request marshaller.</summary>
        private Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method) =>
            new(method.Type, method.ServiceName, method.Name, RequestParsing.Guard(method.RequestMarshaller, method.FullName, logger), method.ResponseMarshaller);

        /// <summary>
        /// The invoker (an open delegate over the service's public method of that name) and the endpoint metadata: the
        /// service type's attributes, then the method's (which take precedence), then POST only — as grpc-dotnet does.
        /// </summary>
        private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, System.Type[] parameters) where TDelegate : Delegate
        {
            var handler = Handler(name, parameters)
                ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");

            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        /// <summary>
        /// The public instance method <paramref name="name"/> that overrides the generated base class's virtual method
        /// (a method that merely hides it is skipped); the base method itself (UNIMPLEMENTED) when not overridden.
        /// </summary>
        private MethodInfo? Handler(string name, System.Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var candidate = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters);
                if (candidate is null)
                {
                    return null;
                }

                if (candidate.IsVirtual && candidate.GetBaseDefinition().DeclaringType == serviceBase)
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}

/// <summary>
/// Parsing a request message: a request that does not parse is the client's mistake, answered INVALID_ARGUMENT with
/// reason MALFORMED_REQUEST and a bounded message (<see cref="ErrorMappingInterceptor.MalformedRequest"/>) — never
/// UNKNOWN or INTERNAL, and never logged as an error.
/// </summary>
internal static class RequestParsing
{
    /// <summary>
    /// <paramref name="inner"/>, whose deserializer throws the MALFORMED_REQUEST status instead of the parser's
    /// exception. grpc-dotnet answers an RpcException thrown while reading a request with its status and trailers
    /// (the google.rpc.Status), and logs it at Information.
    /// </summary>
    public static Marshaller<T> Guard<T>(Marshaller<T> inner, string method, ILogger logger)
    {
        var deserialize = inner.ContextualDeserializer;
        var checkNul = typeof(T) != typeof(Contracts.V1.ImportClaimsRequest);
        return new Marshaller<T>(inner.ContextualSerializer, context =>
        {
            T request;
            try
            {
                request = deserialize(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw ErrorMappingInterceptor.MalformedRequest(typeof(T), e);
            }
            catch (Exception e) when (e is not (RpcException or OutOfMemoryException))
            {
                // The parser failed other than as documented; still the request's bytes, not a fault of the call.
                // The client gets no detail of it; the log gets its type, in one line.
                logger.LogInformation("The request to {Method} did not parse: {Exception}", method, e.GetType().Name);
                throw Unparseable(typeof(T));
            }

            // Text holding U+0000 (NulCharacters). An import checks each record as it imports it, so that one bad
            // record is reported INVALID among the others instead of ending the stream.
            if (checkNul && request is IMessage message && NulCharacters.Find(message) is { } field)
            {
                throw ErrorMappingInterceptor.InvalidField(field, NulCharacters.Description);
            }

            return request;
        });
    }

    private static RpcException Unparseable(System.Type messageType) =>
        ErrorBounds.Fit(new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"The request is not a valid {ErrorMappingInterceptor.ProtobufName(messageType)} message.",
            Details = { Any.Pack(new ErrorInfo { Reason = "MALFORMED_REQUEST", Domain = ErrorMappingInterceptor.Domain }) },
        }).ToRpcException();
}

/// <summary>Puts <see cref="ParsingServiceMethodProvider{TService}"/> in place of grpc-dotnet's default method provider.</summary>
public static class RequestParsingRegistration
{
    /// <summary>
    /// Replaces grpc-dotnet's default IServiceMethodProvider (which AddGrpc registers for every service type, as an
    /// open generic: a provider added for one type would bind its routes a second time) with
    /// <see cref="ParsingServiceMethodProvider{TService}"/>. Call after AddGrpc.
    /// </summary>
    public static IServiceCollection AddRequestParsing(this IServiceCollection services)
    {
        var defaults = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && IsGrpcDefault(d.ImplementationType)).ToList();
        if (defaults.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected grpc-dotnet's default method provider to be registered once (call {nameof(AddRequestParsing)} after AddGrpc); found {defaults.Count}.");
        }

        services.Remove(defaults[0]);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(ParsingServiceMethodProvider<>));
        return services;
    }

    /// <summary>
    /// grpc-dotnet's BinderServiceMethodProvider (internal, so known by name), which binds generated services. Its
    /// other provider, for services mapped from a ServerServiceDefinition, stays.
    /// </summary>
    internal static bool IsGrpcDefault(System.Type? implementation) =>
        implementation is not null
        && implementation.Assembly == typeof(IServiceMethodProvider<>).Assembly
        && implementation.Name == "BinderServiceMethodProvider`1";
}
