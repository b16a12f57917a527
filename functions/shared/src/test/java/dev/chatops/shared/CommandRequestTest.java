package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandRequestTest {
    private static final Instant RECEIVED = Instant.parse("2024-05-06T07:08:09.123456789Z");

    private static Map<String, String> opts(String... nameValue) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            options.put(nameValue[i], nameValue[i + 1]);
        }
        return options;
    }

    private static CommandRequest request(List<String> args, Map<String, String> options, String text) {
        return new CommandRequest("req-1", "T1", "E1", "U1", "alice", "C1", "general", "/chatops", "feature",
                args, options, text, "https://hooks.slack.com/commands/T1/2/abc", RECEIVED);
    }

    private static Map<String, Object> json(CommandRequest request) {
        return new LinkedHashMap<>(Json.readObject(request.toJson()));
    }

    @Test
    void json_round_trip_keeps_every_field() {
        CommandRequest request =
                request(List.of("set", "flag", "on"), opts("user", "group/a"), "set flag on --user=group/a");

        CommandRequest back = CommandRequest.fromJson(request.toJson());

        assertThat(back).isEqualTo(request);
        assertThat(back.receivedAt()).isEqualTo(RECEIVED);
    }

    @Test
    void json_round_trip_keeps_options_with_null_values() {
        CommandRequest request =
                request(List.of("deploy"), opts("production", null, "env", "prod", "actors", null), "deploy");

        CommandRequest back = CommandRequest.fromJson(request.toJson());

        assertThat(back.options()).containsExactlyEntriesOf(request.options());
        assertThat(back.options()).containsKey("production");
        assertThat(back.options().get("production")).isNull();
        assertThat(back).isEqualTo(request);
    }

    @Test
    void to_json_writes_a_switch_as_a_null_value() {
        Map<String, Object> json = json(request(List.of(), opts("production", null), ""));

        assertThat(json.get("options")).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) json.get("options");
        assertThat(options).containsEntry("production", null);
    }

    @Test
    void from_map_refuses_null() {
        assertThatThrownBy(() -> CommandRequest.fromMap(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void json_round_trip_keeps_empty_values_apart_from_null_ones() {
        CommandRequest request = request(List.of(), opts("a", "", "b", null), "");

        CommandRequest back = CommandRequest.fromJson(request.toJson());

        assertThat(back.options()).containsExactlyEntriesOf(request.options());
    }

    @Test
    void json_round_trip_keeps_unicode() {
        CommandRequest request = new CommandRequest(
                "req-ü",
                "T1",
                "",
                "U1",
                "zoë \u00e9l\u00e8ve",
                "C1",
                "g\u00e9n\u00e9ral",
                "/chatops",
                "feature",
                List.of("caf\u00e9", "\u65e5\u672c\u8a9e", "\uD83D\uDE80", "\"quoted\"", "back\\slash"),
                opts("m\u00fcnchen", "\u2014production", "emoji", "\uD83D\uDC4D"),
                "caf\u00e9 \u65e5\u672c\u8a9e \uD83D\uDE80 \"quoted\" back\\slash\nnew line\ttab\u0000nul",
                "https://hooks.slack.com/commands/T1/2/abc",
                RECEIVED);

        CommandRequest back = CommandRequest.fromJson(request.toJson());

        assertThat(back).isEqualTo(request);
    }

    @Test
    void json_round_trip_through_a_utf8_stream() {
        CommandRequest request = request(List.of("\u00e9t\u00e9"), opts("x", null), "\u00e9t\u00e9 \uD83D\uDE80");

        CommandRequest back = CommandRequest.fromJson(
                new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)));

        assertThat(back).isEqualTo(request);
    }

    @Test
    void json_round_trip_keeps_the_order_of_options() {
        CommandRequest request = request(List.of(), opts("z", "1", "a", null, "m", "2"), "");

        assertThat(CommandRequest.fromJson(request.toJson()).options().keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void to_json_writes_the_version_and_an_iso_timestamp() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));

        assertThat(json.get("version")).isEqualTo(1);
        assertThat(json.get("receivedAt")).isEqualTo("2024-05-06T07:08:09.123456789Z");
        assertThat(json.get("requestId")).isEqualTo("req-1");
    }

    @Test
    void from_json_reads_missing_optional_fields_as_empty() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.remove("enterpriseId");
        json.remove("userName");
        json.remove("channelName");
        json.remove("text");
        json.remove("args");
        json.remove("options");

        CommandRequest back = CommandRequest.fromJson(Json.write(json));

        assertThat(back.enterpriseId()).isEmpty();
        assertThat(back.userName()).isEmpty();
        assertThat(back.channelName()).isEmpty();
        assertThat(back.text()).isEmpty();
        assertThat(back.args()).isEmpty();
        assertThat(back.options()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"requestId", "teamId", "userId", "channelId", "slashCommand", "command", "responseUrl",
        "receivedAt"})
    void from_json_refuses_a_missing_required_field(String field) {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.remove(field);
        String text = Json.write(json);

        assertThatThrownBy(() -> CommandRequest.fromJson(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field);
    }

    @Test
    void from_json_refuses_a_missing_request_id() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.remove("requestId");
        String text = Json.write(json);

        assertThatThrownBy(() -> CommandRequest.fromJson(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requestId");
    }

    @Test
    void from_json_refuses_an_empty_or_null_request_id() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.put("requestId", "");
        String empty = Json.write(json);
        json.put("requestId", null);
        String nullId = Json.write(json);

        assertThatThrownBy(() -> CommandRequest.fromJson(empty)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommandRequest.fromJson(nullId)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void from_json_refuses_a_wrong_version() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.put("version", 2);
        String text = Json.write(json);

        assertThatThrownBy(() -> CommandRequest.fromJson(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
    }

    @Test
    void from_json_refuses_a_missing_or_non_numeric_version() {
        Map<String, Object> json = json(request(List.of(), opts(), ""));
        json.put("version", "1");
        String asString = Json.write(json);
        json.remove("version");
        String missing = Json.write(json);
        json.put("version", 0);
        String zero = Json.write(json);

        assertThatThrownBy(() -> CommandRequest.fromJson(asString)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommandRequest.fromJson(missing)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommandRequest.fromJson(zero)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"version\":1", "null"})
    void from_json_refuses_what_is_not_a_json_object(String text) {
        assertThatThrownBy(() -> CommandRequest.fromJson(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void request_copies_args_and_options() {
        List<String> args = new ArrayList<>(List.of("a"));
        Map<String, String> options = opts("x", null);
        CommandRequest request = request(args, options, "a --x");

        args.add("b");
        options.put("y", "1");

        assertThat(request.args()).containsExactly("a");
        assertThat(request.options()).containsOnlyKeys("x");
        assertThatThrownBy(() -> request.options().put("z", "1")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> request.args().add("z")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void display_shows_how_the_person_typed_it() {
        assertThat(request(List.of(), opts(), "set flag on").display()).isEqualTo("/chatops run feature set flag on");
        assertThat(request(List.of(), opts(), "").display()).isEqualTo("/chatops run feature");
    }
}
