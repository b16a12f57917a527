package dev.chatops.gateway;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Help;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.UsageException;
import dev.chatops.shared.edge.CommandText;
import dev.chatops.shared.edge.WhiteSpace;
import dev.chatops.shared.edge.RawText;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.SlackSignature;
import dev.chatops.shared.edge.TextParseException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the gateway does with one HTTP request from Slack: verify it, read the command, answer
 * help and mistakes at once, and hand real work to the command's function with an ephemeral
 * "running" acknowledgement; or, from the interactivity URL, hand a click on one of ChatOps'
 * buttons to the function of the command that owns it. Nothing here waits on anything but the one
 * Lambda invoke.
 */
public final class Gateway {
    /** Slack's slash command bodies are a few kilobytes; anything far larger is not Slack. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * An interaction's body carries the whole message the button is in, as URL-encoded JSON: a
     * message ChatOps posts has at most 50 blocks of 3,000 characters, 150,000 characters, which fit
     * even at 9 bytes each (a non-ASCII character, percent-encoded). The cap bounds what is read
     * before the signature is checked, as for commands.
     */
    static final int MAX_INTERACTION_BODY_BYTES = 2 * 1024 * 1024;
    /**
     * The longest command text read, in characters. Slack documents no limit of its own for a slash
     * command's text (only 40,000 characters for a posted message's); the longest argument a command
     * takes is an {@code explain} statement of up to 10,000 characters, so this leaves room for the
     * command, its options and Slack's escapes ({@code &lt;} for {@code <}). Everything that reads the
     * text (parsing, redaction for the audit) then works on a bounded input.
     */
    static final int MAX_TEXT_CHARS = 12_000;
    private static final List<String> REQUIRED_FIELDS =
            List.of("team_id", "user_id", "channel_id", "command", "response_url");

    /** What an acknowledgement was, as the {@code Acks} metric counts it (docs/observability.md). */
    public enum Ack {
        /** A command handed to its function, or a click to the function owning its button. */
        DISPATCHED("dispatched"),
        /** Help answered inline. */
        HELP("help"),
        /** A call that fits no form, or text that cannot be read: the usage answered inline. */
        USAGE("usage"),
        /** A command name the catalogue does not know. */
        UNKNOWN("unknown"),
        /** Signed, but refused: a text too long, a response_url ChatOps does not answer to. */
        REFUSED("refused"),
        /** Signed, and nothing to do: Slack's ssl_check, a click on a button that is not ChatOps'. */
        IGNORED("ignored"),
        /** No valid signature: 401. */
        UNSIGNED("unsigned"),
        /** Not a request Slack sends: 400 or 413. */
        REJECTED("rejected"),
        /** The command could not be handed to its function; the person was told. */
        NOT_DISPATCHED("not dispatched"),
        /** A 5xx: the gateway failed. */
        FAILED("failed");

        private final String counted;

        Ack(String counted) {
            this.counted = counted;
        }

        /** As the metric's {@code Result} dimension spells it. */
        public String counted() {
            return counted;
        }
    }

    /** The HTTP answer: a status and, for 200, Slack's JSON message; and what it was, for the metrics. */
    public record Response(int status, String body, Ack ack) {
        static Response ephemeral(Ack ack, String text) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("response_type", "ephemeral");
            message.put("text", text);
            return new Response(200, Json.write(message), ack);
        }

        /** An empty body: 200 is a request with nothing to do, 401 unsigned, any other 4xx rejected, 5xx failed. */
        static Response empty(int status) {
            Ack ack = status == 200 ? Ack.IGNORED : status == 401 ? Ack.UNSIGNED : status >= 500 ? Ack.FAILED
                    : Ack.REJECTED;
            return new Response(status, "", ack);
        }
    }

    private final GatewayConfig config;
    private final SlackHeaders slackHeaders;
    private final Dispatcher dispatcher;
    private final Catalog catalog;
    private final Clock clock;

    public Gateway(GatewayConfig config, SigningSecret secret, Dispatcher dispatcher, Catalog catalog, Clock clock) {
        this.config = config;
        this.slackHeaders = new SlackHeaders(secret, new SlackSignature(clock));
        this.dispatcher = dispatcher;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Answers one HTTP request. {@code httpRequestId} is API Gateway's id of it, for the logs; the
     * command request's id is derived from Slack's signature, so a replayed request (same body,
     * timestamp and signature, within the five minutes) carries the same id and runs only once.
     */
    public Response handle(Map<String, String> headers, byte[] body, String httpRequestId) {
        Optional<Response> tooLarge = tooLarge(body, MAX_BODY_BYTES);
        if (tooLarge.isPresent()) {
            return tooLarge.get();
        }
        Optional<FormBody> form = parseForm(body);
        if (form.isPresent() && form.get().get("ssl_check").filter("1"::equals).isPresent()) {
            return Response.empty(200);
        }
        Optional<Response> unsigned = unverified(headers, body);
        if (unsigned.isPresent()) {
            return unsigned.get();
        }
        String requestId = SlackHeaders.requestIdOf(headers);
        Log.forRequest(requestId);
        Log.info("request.verified", "httpRequestId", httpRequestId);
        if (form.isEmpty() || REQUIRED_FIELDS.stream().anyMatch(f -> form.get().getOrEmpty(f).isEmpty())) {
            Log.warn("request.rejected", "reason", "signed but not a slash command form");
            return Response.empty(400);
        }
        return command(form.get(), requestId, SlackHeaders.publicBaseUrl(headers));
    }

    /**
     * Answers one request to the interactivity URL: verified exactly as a command is (the same cap,
     * then the same signature check over the raw bytes, before anything is decoded), then a click on
     * one of ChatOps' buttons ({@link BlockActions}) is handed to the function of the command that
     * owns the button, and Slack gets its acknowledgement: 200 with an empty body. A click's request
     * id is derived from Slack's signature as a command's is, so a replay carries the same id.
     * Anything signed that is not such a click gets the same empty 200, nothing dispatched: Slack
     * sends this URL every interaction of the app, and a person has nothing to correct.
     */
    public Response handleInteraction(Map<String, String> headers, byte[] body, String httpRequestId) {
        Optional<Response> refused = tooLarge(body, MAX_INTERACTION_BODY_BYTES).or(() -> unverified(headers, body));
        if (refused.isPresent()) {
            return refused.get();
        }
        String requestId = SlackHeaders.clickIdOf(headers);
        Log.forRequest(requestId);
        Log.info("request.verified", "httpRequestId", httpRequestId);
        BlockActions.Outcome click =
                BlockActions.read(body, requestId, catalog, config.responseUrls(), clock.instant());
        return ClickHandOver.handOver(click, config, dispatcher);
    }

    /** 413 for a body over {@code maxBytes}, before it is read any further. */
    private static Optional<Response> tooLarge(byte[] body, int maxBytes) {
        if (body.length <= maxBytes) {
            return Optional.empty();
        }
        Log.warn("request.rejected", "reason", "body too large", "bytes", body.length);
        return Optional.of(Response.empty(413));
    }

    /** 401 with an empty body unless Slack's v0 signature over the raw bytes is valid: the one check for both URLs. */
    private Optional<Response> unverified(Map<String, String> headers, byte[] body) {
        SlackSignature.Verdict verdict = slackHeaders.verify(headers, body);
        if (verdict == SlackSignature.Verdict.VALID) {
            return Optional.empty();
        }
        Log.warn("request.rejected", "reason", "signature " + verdict);
        return Optional.of(Response.empty(401));
    }

    private Response command(FormBody form, String requestId, String publicBaseUrl) {
        String slash = form.getOrEmpty("command");
        int length = form.getOrEmpty("text").length();
        if (length > MAX_TEXT_CHARS) {
            Log.warn("request.refused", "reason", "text too long", "characters", length);
            return Response.ephemeral(Ack.REFUSED, String.format(Locale.ROOT,
                    ":warning: That command is %,d characters long; "
                    + "ChatOps reads at most %,d (an `explain` statement may have up to 10,000). Nothing was run.",
                    length, MAX_TEXT_CHARS));
        }
        Optional<Response> verbatim = verbatim(form, slash, requestId, publicBaseUrl);
        if (verbatim.isPresent()) {
            return verbatim.get();
        }
        CommandText text;
        try {
            text = CommandText.parse(form.getOrEmpty("text"));
        } catch (TextParseException e) {
            return Response.ephemeral(Ack.USAGE, ":warning: " + e.getMessage() + " Try `" + slash + " run help`.");
        }
        List<String> words = text.words();
        if (words.isEmpty() || (words.get(0).equalsIgnoreCase("help") && words.size() == 1)
                || (words.get(0).equalsIgnoreCase("run") && words.size() == 1)) {
            return Response.ephemeral(Ack.HELP, Help.commands(catalog, slash));
        }
        boolean helpFirst = words.get(0).equalsIgnoreCase("help");
        if (!helpFirst && !words.get(0).equalsIgnoreCase("run")) {
            return Response.ephemeral(Ack.USAGE, "Commands start with `run`, as in `" + slash + " run whoami`. "
                    + "`" + slash + " run help` lists them.");
        }
        boolean helpAfterRun = !helpFirst && words.get(1).equalsIgnoreCase("help");
        if (helpFirst || helpAfterRun) {
            List<String> topic = words.subList(helpFirst ? 1 : 2, words.size());
            if (topic.isEmpty()) {
                return Response.ephemeral(Ack.HELP, Help.commands(catalog, slash));
            }
            return catalog.find(topic.get(0))
                    .map(spec -> Response.ephemeral(Ack.HELP, Help.of(slash, spec, config.approvals())))
                    .orElseGet(() -> unknown(slash, topic.get(0)));
        }
        String name = words.get(1);
        Optional<CommandSpec> found = catalog.find(name);
        if (found.isEmpty()) {
            return unknown(slash, name);
        }
        CommandSpec spec = found.get();
        // `--reason "two words"`: an option the form takes with a value takes the word after it.
        text = text.withValuesFor(spec.valuedOptions(words.subList(2, words.size())));
        words = text.words();
        Map<String, String> options = new LinkedHashMap<>(text.options());
        if (options.containsKey("help")) {
            return Response.ephemeral(Ack.HELP, Help.of(slash, spec, config.approvals()));
        }
        List<String> args = words.subList(2, words.size());
        try {
            Usage.resolve(spec, args, options, config.instances());
        } catch (UsageException e) {
            return usageMistake(e.getMessage(), spec, slash);
        }
        return dispatch(form, spec, args, options, text.rawAfterWords(2), requestId, publicBaseUrl);
    }

    /**
     * A command whose form takes the rest of the text verbatim ({@code run explain SELECT …}): the
     * text after its name is its argument, as typed, less known options at the very end. Empty when
     * the text does not start with {@code run} and such a command.
     */
    private Optional<Response> verbatim(FormBody form, String slash, String requestId, String publicBaseUrl) {
        // The first two words are split as CommandText splits them (one definition of white space):
        // `run explain<NBSP>SELECT …` is the same command to both readers.
        String text = form.getOrEmpty("text");
        int runStart = WhiteSpace.skipSpaces(text, 0);
        int runEnd = WhiteSpace.nextSpace(text, runStart);
        int nameStart = WhiteSpace.skipSpaces(text, runEnd);
        int nameEnd = WhiteSpace.nextSpace(text, nameStart);
        if (nameStart == nameEnd || !text.substring(runStart, runEnd).equalsIgnoreCase("run")) {
            return Optional.empty();
        }
        String rest = text.substring(WhiteSpace.skipSpaces(text, nameEnd));
        Optional<CommandSpec> found = catalog.find(text.substring(nameStart, nameEnd));
        if (found.isEmpty() || found.get().hasSubcommands() || !found.get().forms().get(0).takesRawText()) {
            return Optional.empty();
        }
        CommandSpec spec = found.get();
        Set<String> known = new HashSet<>(config.instances());
        spec.forms().get(0).options().forEach(o -> known.add(o.name()));
        known.add("help");
        RawText raw;
        try {
            raw = RawText.split(rest, known);
        } catch (TextParseException e) {
            return Optional.of(usageMistake(e.getMessage(), spec, slash));
        }
        if (raw.options().containsKey("help")) {
            return Optional.of(Response.ephemeral(Ack.HELP, Help.of(slash, spec, config.approvals())));
        }
        List<String> args = raw.body().isEmpty() ? List.of() : List.of(raw.body());
        try {
            Usage.resolve(spec, args, raw.options(), config.instances());
        } catch (UsageException e) {
            return Optional.of(usageMistake(e.getMessage(), spec, slash));
        }
        return Optional.of(dispatch(form, spec, args, raw.options(), rest, requestId, publicBaseUrl));
    }

    private Response dispatch(FormBody form, CommandSpec spec, List<String> args, Map<String, String> options,
                              String text, String requestId, String publicBaseUrl) {
        String slash = form.getOrEmpty("command");
        String responseUrl = form.getOrEmpty("response_url");
        if (!config.responseUrls().allows(responseUrl)) {
            Log.warn("request.refused", "reason", "response_url not on the allow-list");
            return Response.ephemeral(Ack.REFUSED,
                    ":no_entry: This request's response URL is not one ChatOps answers to.");
        }
        CommandRequest request = new CommandRequest(requestId, form.getOrEmpty("team_id"),
                form.getOrEmpty("enterprise_id"), form.getOrEmpty("user_id"), form.getOrEmpty("user_name"),
                form.getOrEmpty("channel_id"), form.getOrEmpty("channel_name"), slash, spec.name(), args, options,
                text, responseUrl, clock.instant(), publicBaseUrl);
        try {
            dispatcher.dispatch(config.functionFor(spec.target()), request);
        } catch (DispatchException e) {
            Log.error("dispatch.failed", e, "command", spec.name(), "mayHaveStarted", e.mayHaveStarted());
            return Response.ephemeral(Ack.NOT_DISPATCHED, GatewayReplies.notStarted(request, e.mayHaveStarted()));
        }
        Log.info("dispatched", "command", spec.name(), "user", request.userId(), "team", request.teamId());
        return Response.ephemeral(Ack.DISPATCHED,
                ":hourglass_flowing_sand: running `" + GatewayReplies.echo(request.display()) + "` …");
    }

    private static Response usageMistake(String mistake, CommandSpec spec, String slash) {
        return Response.ephemeral(Ack.USAGE, GatewayReplies.usageMistake(mistake, spec, slash));
    }

    private Response unknown(String slash, String name) {
        return Response.ephemeral(Ack.UNKNOWN, GatewayReplies.unknown(catalog, slash, name));
    }

    /** {@code sl-} and 32 hex digits of SHA-256 over Slack's timestamp and signature. */
    static String requestIdOf(String timestamp, String signature) {
        return SlackHeaders.requestIdOf(timestamp, signature);
    }

    private static Optional<FormBody> parseForm(byte[] body) {
        try {
            return Optional.of(FormBody.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
