package dev.chatops.shared.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseUrlPolicyTest {
    private static final ResponseUrlPolicy SLACK_ONLY = ResponseUrlPolicy.parse(ResponseUrlPolicy.SLACK);
    private static final ResponseUrlPolicy WITH_LOOPBACK = ResponseUrlPolicy.parse("https://hooks.slack.com, http://127.0.0.1");

    @ParameterizedTest
    @ValueSource(strings = {
        "https://hooks.slack.com/commands/T1/2/abc",
        "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
        "https://hooks.slack.com:443/commands/T1/2/abc",
        "HTTPS://HOOKS.SLACK.COM/commands/T1/2/abc",
        "https://hooks.slack.com/commands/T1/2/abc?x=1",
    })
    void default_policy_allows_slacks_response_urls(String url) {
        assertThat(SLACK_ONLY.allows(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://hooks.slack.com/commands/T1/2/abc",
        "ftp://hooks.slack.com/commands/T1/2/abc",
        "https://example.com/commands/T1/2/abc",
        "https://slack.com/commands/T1/2/abc",
        "https://api.slack.com/commands/T1/2/abc",
        "https://hooks.slack.com.evil.com/",
        "https://hooks.slack.com.evil.com/commands/T1/2/abc",
        "https://evilhooks.slack.com/commands/T1/2/abc",
        "https://hooks.slack.com./commands/T1/2/abc",
        "https://evil.com@hooks.slack.com/",
        "https://evil.com@hooks.slack.com/commands/T1/2/abc",
        "https://user:pass@hooks.slack.com/commands/T1/2/abc",
        "https://hooks.slack.com@evil.com/commands/T1/2/abc",
        "https://hooks.slack.com:8443/commands/T1/2/abc",
        "https://hooks.slack.com:80/commands/T1/2/abc",
        "https://hooks.slack.com:abc/commands/T1/2/abc",
        "https://hooks.slack.com/commands/T1/2/abc#frag",
        "https://hooks.slack.com\\@evil.com/",
        "https://hooks%2eslack%2ecom/commands",
        "//hooks.slack.com/commands/T1/2/abc",
        "hooks.slack.com/commands/T1/2/abc",
        "/commands/T1/2/abc",
        "https:hooks.slack.com/commands",
        "https:///commands/T1/2/abc",
        "http://127.0.0.1:9000/hook",
        "garbage",
        "not a url at all",
        "https://hooks.slack.com/commands/T1/2/a b",
        "",
        " ",
        "https://hooks.slack.com/commands/\u0000",
    })
    void default_policy_refuses_anything_else(String url) {
        assertThat(SLACK_ONLY.allows(url)).isFalse();
    }

    @ParameterizedTest
    @NullSource
    void policy_refuses_null(String url) {
        assertThat(SLACK_ONLY.allows(url)).isFalse();
        assertThat(WITH_LOOPBACK.allows(url)).isFalse();
    }

    @Test
    void policy_allows_a_url_of_2048_characters() {
        String base = "https://hooks.slack.com/commands/T1/2/";
        String url = base + "a".repeat(2048 - base.length());

        assertThat(url).hasSize(2048);
        assertThat(SLACK_ONLY.allows(url)).isTrue();
    }

    @Test
    void policy_refuses_a_url_longer_than_2048_characters() {
        String base = "https://hooks.slack.com/commands/T1/2/";
        String url = base + "a".repeat(2049 - base.length());

        assertThat(url).hasSize(2049);
        assertThat(SLACK_ONLY.allows(url)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://127.0.0.1/hook",
        "http://127.0.0.1:80/hook",
        "http://127.0.0.1:3000/hook",
        "http://127.0.0.1:65535/slack/response",
        "https://hooks.slack.com/commands/T1/2/abc",
    })
    void loopback_entry_allows_any_port_on_127_0_0_1(String url) {
        assertThat(WITH_LOOPBACK.allows(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://127.0.0.1:3000/hook",
        "http://localhost:3000/hook",
        "http://127.0.0.2:3000/hook",
        "http://127.0.0.1.evil.com:3000/hook",
        "http://evil.com@127.0.0.1:3000/hook",
        "http://10.0.0.1:3000/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://hooks.slack.com/commands/T1/2/abc",
    })
    void loopback_entry_allows_nothing_else(String url) {
        assertThat(WITH_LOOPBACK.allows(url)).isFalse();
    }

    @Test
    void a_loopback_entry_with_a_port_allows_that_port_only() {
        ResponseUrlPolicy policy = ResponseUrlPolicy.parse("http://127.0.0.1:3000");

        assertThat(policy.allows("http://127.0.0.1:3000/hook")).isTrue();
        assertThat(policy.allows("http://127.0.0.1:3001/hook")).isFalse();
        assertThat(policy.allows("https://hooks.slack.com/commands/T1/2/abc")).isFalse();
    }

    @Test
    void an_https_entry_with_an_explicit_port_allows_that_port_only() {
        ResponseUrlPolicy policy = ResponseUrlPolicy.parse("https://hooks.example.test:8443");

        assertThat(policy.allows("https://hooks.example.test:8443/x")).isTrue();
        assertThat(policy.allows("https://hooks.example.test/x")).isFalse();
    }

    @Test
    void parse_accepts_localhost_and_ipv6_loopback_over_http() {
        ResponseUrlPolicy policy = ResponseUrlPolicy.parse("http://localhost,http://[::1]");

        assertThat(policy.allows("http://localhost:8080/x")).isTrue();
        assertThat(policy.allows("http://[::1]:8080/x")).isTrue();
    }

    @Test
    void parse_ignores_blank_entries_and_spaces() {
        ResponseUrlPolicy policy = ResponseUrlPolicy.parse(" , https://hooks.slack.com ,, ");

        assertThat(policy.allows("https://hooks.slack.com/commands/T1/2/abc")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://hooks.slack.com",
        "https://hooks.slack.com,http://evil.com",
        "http://10.0.0.1",
        "http://127.0.0.1.evil.com",
    })
    void parse_rejects_plain_http_for_a_non_loopback_host(String origins) {
        assertThatThrownBy(() -> ResponseUrlPolicy.parse(origins))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ",", " , ,"})
    void parse_rejects_an_empty_list(String origins) {
        assertThatThrownBy(() -> ResponseUrlPolicy.parse(origins))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hooks.slack.com", "ftp://hooks.slack.com", "https://", "https:///x", "not a url"})
    void parse_rejects_an_entry_that_is_not_an_http_origin(String origins) {
        assertThatThrownBy(() -> ResponseUrlPolicy.parse(origins)).isInstanceOf(IllegalArgumentException.class);
    }
}
