package dev.chatops.shared.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormBodyTest {
    private static final String SLACK_BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        + "&command=%2Fwebhook-collect&text="
        + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    @Test
    void parse_reads_a_slack_slash_command_body() {
        FormBody form = FormBody.parse(SLACK_BODY);

        assertThat(form.get("team_id")).contains("T1DC2JH3J");
        assertThat(form.get("command")).contains("/webhook-collect");
        assertThat(form.get("response_url"))
                .contains("https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
        assertThat(form.get("trigger_id")).contains("398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
    }

    @Test
    void parse_keeps_a_present_but_empty_field_as_empty() {
        FormBody form = FormBody.parse(SLACK_BODY);

        assertThat(form.get("text")).contains("");
        assertThat(form.getOrEmpty("text")).isEmpty();
    }

    @Test
    void get_is_empty_for_an_absent_field() {
        FormBody form = FormBody.parse("a=1");

        assertThat(form.get("b")).isEmpty();
        assertThat(form.getOrEmpty("b")).isEqualTo("");
    }

    @Test
    void parse_decodes_plus_and_percent_escapes_as_utf8() {
        FormBody form = FormBody.parse("text=run+deploy+%E2%80%94production+caf%C3%A9+%26+%3D+%2B");

        assertThat(form.get("text")).contains("run deploy \u2014production café & = +");
    }

    @Test
    void parse_decodes_field_names_too() {
        assertThat(FormBody.parse("user%5Fid=U1").get("user_id")).contains("U1");
    }

    @Test
    void parse_reads_a_field_without_equals_as_empty() {
        FormBody form = FormBody.parse("flag&a=1");

        assertThat(form.get("flag")).contains("");
        assertThat(form.get("a")).contains("1");
    }

    @Test
    void parse_keeps_equals_signs_inside_the_value() {
        assertThat(FormBody.parse("text=--env%3Dprod=x").get("text")).contains("--env=prod=x");
    }

    @Test
    void parse_ignores_empty_pairs() {
        FormBody form = FormBody.parse("&&a=1&&b=2&");

        assertThat(form.get("a")).contains("1");
        assertThat(form.get("b")).contains("2");
        assertThat(form.get("")).isEmpty();
    }

    @Test
    void parse_of_an_empty_body_has_no_fields() {
        FormBody form = FormBody.parse("");

        assertThat(form.get("text")).isEmpty();
        assertThat(form.getOrEmpty("command")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=1&a=2", "a=1&b=2&a=1", "a=&a=x", "a&a", "a=1&%61=2"})
    void parse_rejects_a_repeated_field(String body) {
        assertThatThrownBy(() -> FormBody.parse(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%", "a=%4", "a=%zz", "a=%G0", "a=100%", "%=1", "a=%%41", "text=50%25+off%2"})
    void parse_rejects_a_malformed_percent_escape(String body) {
        assertThatThrownBy(() -> FormBody.parse(body)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_escapes_names_and_values() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("text", "a b&c=d+e");
        fields.put("user name", "café");

        assertThat(FormBody.encode(fields)).isEqualTo("text=a+b%26c%3Dd%2Be&user+name=caf%C3%A9");
    }

    @Test
    void encode_of_no_fields_is_empty() {
        assertThat(FormBody.encode(Map.of())).isEmpty();
    }

    @Test
    void encode_keeps_empty_values() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("text", "");
        fields.put("command", "/chatops");

        assertThat(FormBody.encode(fields)).isEqualTo("text=&command=%2Fchatops");
    }

    @Test
    void parse_reads_back_what_encode_wrote() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("text", "run feature set \"x y\" --user=a/b&c %41 \u2014production 😀");
        fields.put("response_url", "https://hooks.slack.com/commands/T1/2/abc?x=1&y=2");
        fields.put("empty", "");
        fields.put("ünïcode näme", "= & + %");

        FormBody form = FormBody.parse(FormBody.encode(fields));

        fields.forEach((name, value) -> assertThat(form.get(name)).as(name).contains(value));
    }
}
