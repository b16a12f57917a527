package dev.chatops.shared;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway sends a command function: who asked, in which channel, what to run, and where
 * to answer. It travels as JSON in an asynchronous Lambda invocation, and is the request id's
 * unit of idempotency: a retry of the same invocation carries the same request id.
 *
 * @param text the raw text after the command word, Slack's escapes resolved (for statements)
 * @param options options by name; a null value means the option was given without {@code =}
 * @param publicBaseUrl where this service's HTTP API answers ({@code https://…execute-api…}), for
 *                      links it sends people to; empty when unknown
 */
public record CommandRequest(
        String requestId,
        String teamId,
        String enterpriseId,
        String userId,
        String userName,
        String channelId,
        String channelName,
        String slashCommand,
        String command,
        List<String> args,
        Map<String, String> options,
        String text,
        String responseUrl,
        Instant receivedAt,
        String publicBaseUrl) {

    public static final int VERSION = 1;

    public CommandRequest {
        args = List.copyOf(args);
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl;
    }

    /** A request whose public base URL is not known. */
    public CommandRequest(String requestId, String teamId, String enterpriseId, String userId, String userName,
                          String channelId, String channelName, String slashCommand, String command, List<String> args,
                          Map<String, String> options, String text, String responseUrl, Instant receivedAt) {
        this(requestId, teamId, enterpriseId, userId, userName, channelId, channelName, slashCommand, command, args,
                options, text, responseUrl, receivedAt, "");
    }

    /**
     * The Slack workspace the person's link belongs to: the Enterprise Grid organisation when there
     * is one (a user keeps one id across its workspaces), otherwise the team.
     */
    public String workspace() {
        return enterpriseId == null || enterpriseId.isEmpty() ? teamId : enterpriseId;
    }

    /** How the person typed it, for replies: {@code /chatops run whoami}. */
    public String display() {
        return slashCommand + " run " + command + (text.isEmpty() ? "" : " " + text);
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", VERSION);
        json.put("requestId", requestId);
        json.put("teamId", teamId);
        json.put("enterpriseId", enterpriseId);
        json.put("userId", userId);
        json.put("userName", userName);
        json.put("channelId", channelId);
        json.put("channelName", channelName);
        json.put("slashCommand", slashCommand);
        json.put("command", command);
        json.put("args", args);
        json.put("options", options);
        json.put("text", text);
        json.put("responseUrl", responseUrl);
        json.put("receivedAt", receivedAt.toString());
        json.put("publicBaseUrl", publicBaseUrl);
        return Json.write(json);
    }

    public static CommandRequest fromJson(String json) {
        return fromMap(Json.readObject(json));
    }

    public static CommandRequest fromJson(InputStream json) {
        return fromMap(Json.readObject(json));
    }

    /**
     * Reads the JSON object {@link #toJson()} writes; a missing required field is an {@link
     * IllegalArgumentException}.
     */
    public static CommandRequest fromMap(Map<String, Object> json) {
        if (json == null) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Object version = json.get("version");
        if (!(version instanceof Number n) || n.intValue() != VERSION) {
            throw new IllegalArgumentException("unsupported command request version: " + version);
        }
        List<String> args = new ArrayList<>();
        if (json.get("args") instanceof List<?> list) {
            for (Object arg : list) {
                args.add(String.valueOf(arg));
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (json.get("options") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> options.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return new CommandRequest(
                required(json, "requestId"),
                required(json, "teamId"),
                optional(json, "enterpriseId"),
                required(json, "userId"),
                optional(json, "userName"),
                required(json, "channelId"),
                optional(json, "channelName"),
                required(json, "slashCommand"),
                required(json, "command"),
                args,
                options,
                optional(json, "text"),
                required(json, "responseUrl"),
                Instant.parse(required(json, "receivedAt")),
                optional(json, "publicBaseUrl"));
    }

    private static String required(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (value == null || String.valueOf(value).isEmpty()) {
            throw new IllegalArgumentException("command request without " + name);
        }
        return String.valueOf(value);
    }

    private static String optional(Map<String, Object> json, String name) {
        Object value = json.get(name);
        return value == null ? "" : String.valueOf(value);
    }
}
