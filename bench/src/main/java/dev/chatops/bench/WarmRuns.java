package dev.chatops.bench;

import static dev.chatops.bench.Stats.median;
import static dev.chatops.bench.Stats.p;

import dev.chatops.gateway.GatewayFunction;
import dev.chatops.shared.Env;
import dev.chatops.shared.Redactor;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CountedDynamoDb;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.user.UserFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** Warm latencies in this JVM, after a warm-up: the gateway's ack, whoami's answer, the audit's redactor. */
final class WarmRuns {
    private final Report report;

    WarmRuns(Report report) {
        this.report = report;
    }

    void gateway(Map<String, String> env, CaptureServer lambdaApi) {
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        GatewayFunction gateway = new GatewayFunction(Env.of(env));
        LocalLambdaContext context = new LocalLambdaContext("GatewayFunction", Duration.ofSeconds(10));
        double[] dispatched = gatewayAcks(gateway, context, "run whoami");
        report.add("warm gateway: verify, parse, dispatch, ack (p50 | p99)", median(dispatched), p(dispatched, 99),
                "ms", dispatched.length, "dispatch = a loopback HTTP round trip");
        double[] help = gatewayAcks(gateway, context, "run help");
        report.add("warm gateway: verify, parse, answer help inline (p50 | p99)", median(help), p(help, 99), "ms",
                help.length, "no dispatch");
    }

    private static double[] gatewayAcks(GatewayFunction gateway, LocalLambdaContext context, String text) {
        int warmup = 2_000;
        int measured = 10_000;
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < warmup + measured; i++) {
            events.add(LambdaEvents.json(
                    BenchEvents.event(text, MotoExtension.SIGNING_SECRET, Instant.now().getEpochSecond(), "U" + i)));
        }
        return timed(warmup, measured, i -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                gateway.handleRequest(new ByteArrayInputStream(events.get(i)), out, context);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (!out.toString(StandardCharsets.UTF_8).startsWith("{\"statusCode\":200,")) {
                throw new IllegalStateException("warm gateway answered " + out + " to " + text);
            }
        });
    }

    void whoami(Map<String, String> env, CaptureServer slack) {
        Services services = new Services(Env.of(env), new CountedDynamoDb().client(), Clock.systemUTC(),
                ResponseUrlClient.standard(RuntimeConfig.from(Env.of(env)).responseUrls()));
        UserFunction function = new UserFunction(services);
        LocalLambdaContext context = new LocalLambdaContext("UserFunction", Duration.ofSeconds(30));
        double[] ms = timed(100, 400, i -> {
            byte[] payload = BenchEvents.whoamiUnlinked(slack.url("/bench/warm")).toJson()
                    .getBytes(StandardCharsets.UTF_8);
            try {
                function.handleRequest(new ByteArrayInputStream(payload), new ByteArrayOutputStream(), context);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        report.add("warm whoami: event to response_url post (p50 | p99)", median(ms), p(ms, 99), "ms", ms.length, "");
    }

    /** The audit's redactor on the longest command text the gateway reads, as one word: linear, so milliseconds. */
    void redactor() {
        String word = "a".repeat(12_000);
        double[] ms = timed(50, 200, i -> Redactor.redactText(word));
        report.add("warm redactor: one 12,000-character word (p50 | p99)", median(ms), p(ms, 99), "ms", ms.length,
                "audited before any role is checked");
    }

    /** Milliseconds of each of {@code measured} calls after {@code warmup} unmeasured ones. */
    private static double[] timed(int warmup, int measured, IntConsumer call) {
        double[] ms = new double[measured];
        for (int i = 0; i < warmup + measured; i++) {
            long start = System.nanoTime();
            call.accept(i);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1_000_000.0;
            }
        }
        return ms;
    }
}
