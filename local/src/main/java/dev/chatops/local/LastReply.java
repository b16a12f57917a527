package dev.chatops.local;

import dev.chatops.shared.Json;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last reply with buttons that {@code send} received, kept in a small JSON file so that a later
 * {@code click} can click one of them as Slack would: where the message is (workspace, channel),
 * and the message as Slack holds it once posted — its {@code ts}, and each block with a
 * {@code block_id} (Slack gives one to a block that has none) — which is what Slack sends back in a
 * click's payload. The file is {@code local/target/chatops-local-last-reply.json}, or
 * {@code CHATOPS_LAST_REPLY}; {@code send} replaces it only when a reply has buttons, so a command
 * sent in between (a {@code feature get}) leaves the buttons clickable.
 */
final class LastReply {
    /** The variable naming the file, when not the default one. */
    static final String FILE = "CHATOPS_LAST_REPLY";

    private static final String BLOCK_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=/";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A button of the message: the block it is in, and the element as the app posted it. */
    record Button(String blockId, Map<String, Object> element) {
        String text() {
            return element.get("text") instanceof Map<?, ?> text && text.get("text") instanceof String s ? s : "";
        }

        Optional<String> actionId() {
            return element.get("action_id") instanceof String s ? Optional.of(s) : Optional.empty();
        }

        Optional<String> value() {
            return element.get("value") instanceof String s ? Optional.of(s) : Optional.empty();
        }

        Optional<String> url() {
            return element.get("url") instanceof String s ? Optional.of(s) : Optional.empty();
        }

        Optional<Map<?, ?>> confirm() {
            return element.get("confirm") instanceof Map<?, ?> confirm ? Optional.of(confirm) : Optional.empty();
        }
    }

    private final String team;
    private final String channelId;
    private final String channelName;
    private final boolean ephemeral;
    private final Map<String, Object> message;

    private LastReply(String team, String channelId, String channelName, boolean ephemeral,
                      Map<String, Object> message) {
        this.team = team;
        this.channelId = channelId;
        this.channelName = channelName;
        this.ephemeral = ephemeral;
        this.message = message;
    }

    static Path path(Map<String, String> env) {
        return Path.of(Main.env(env, FILE, Template.projectRoot()
                .resolve("local/target/chatops-local-last-reply.json").toString())).toAbsolutePath();
    }

    /** Whether a reply has a button (with an action_id or a URL) in an actions block or as a section's accessory. */
    static boolean hasButtons(Map<String, Object> reply) {
        return !buttonsOf(reply).isEmpty();
    }

    /**
     * Keeps {@code reply}, posted to a response_url of {@code team}'s channel {@code channelId},
     * as Slack would hold it: a {@code ts}, a {@code block_id} on each block, and neither
     * {@code response_type} nor {@code replace_original} (they tell Slack where to put it, and are
     * not part of the message).
     */
    static void save(Path file, String team, String channelId, String channelName, Map<String, Object> reply)
            throws IOException {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "message");
        message.put("user", "U0LOCALBOT");
        message.put("bot_id", "B0LOCAL");
        message.put("app_id", "A0LOCAL");
        message.put("team", team);
        message.put("ts", ts(Instant.now()));
        message.put("text", reply.getOrDefault("text", ""));
        if (reply.get("blocks") instanceof List<?> blocks) {
            List<Object> held = new ArrayList<>();
            for (Object block : blocks) {
                if (block instanceof Map<?, ?> map) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    map.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    copy.putIfAbsent("block_id", blockId());
                    held.add(copy);
                } else {
                    held.add(block);
                }
            }
            message.put("blocks", held);
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("team", team);
        state.put("channel", Map.of("id", channelId, "name", channelName));
        // Where a response_url posts when no response_type says otherwise: for the person alone.
        state.put("ephemeral", !"in_channel".equals(reply.get("response_type")));
        state.put("message", message);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, Json.write(state), StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The reply kept in {@code file}; empty when there is none (no send has received buttons yet). */
    static Optional<LastReply> load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, Object> state;
        try {
            state = Json.readObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (state == null || !(state.get("message") instanceof Map<?, ?> raw)
                || !(state.get("channel") instanceof Map<?, ?> channel)) {
            return Optional.empty();
        }
        Map<String, Object> message = new LinkedHashMap<>();
        raw.forEach((k, v) -> message.put(String.valueOf(k), v));
        return Optional.of(new LastReply(String.valueOf(state.get("team")), String.valueOf(channel.get("id")),
                String.valueOf(channel.get("name")), Boolean.TRUE.equals(state.get("ephemeral")), message));
    }

    String team() {
        return team;
    }

    String channelId() {
        return channelId;
    }

    String channelName() {
        return channelName;
    }

    boolean ephemeral() {
        return ephemeral;
    }

    /** The message as Slack sends it back in a click's payload. */
    Map<String, Object> message() {
        return message;
    }

    List<Button> buttons() {
        return buttonsOf(message);
    }

    /** Every button of a message, in order: in actions blocks, and sections' accessories. */
    private static List<Button> buttonsOf(Map<String, Object> message) {
        List<Button> buttons = new ArrayList<>();
        if (!(message.get("blocks") instanceof List<?> blocks)) {
            return buttons;
        }
        for (Object block : blocks) {
            if (!(block instanceof Map<?, ?> map)) {
                continue;
            }
            String blockId = map.get("block_id") instanceof String id ? id : "";
            List<Object> elements = new ArrayList<>();
            if ("actions".equals(map.get("type")) && map.get("elements") instanceof List<?> list) {
                elements.addAll(list);
            }
            if (map.get("accessory") != null) {
                elements.add(map.get("accessory"));
            }
            for (Object element : elements) {
                if (element instanceof Map<?, ?> e && "button".equals(e.get("type"))
                        && (e.get("action_id") instanceof String || e.get("url") instanceof String)) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    e.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    buttons.add(new Button(blockId, copy));
                }
            }
        }
        return buttons;
    }

    /** A message timestamp as Slack writes one: seconds, a dot, six digits. */
    static String ts(Instant at) {
        return at.getEpochSecond() + "." + String.format("%06d", at.getNano() / 1000);
    }

    /** A block id as Slack makes one up for a block posted without: a few random characters. */
    private static String blockId() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            id.append(BLOCK_ID_CHARS.charAt(RANDOM.nextInt(BLOCK_ID_CHARS.length())));
        }
        return id.toString();
    }
}
