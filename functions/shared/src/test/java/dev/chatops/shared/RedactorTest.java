package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
    private static final String MASK = Redactor.MASK;

    private static Map<String, String> opts(String... nameValue) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            options.put(nameValue[i], nameValue[i + 1]);
        }
        return options;
    }

    @Test
    void redact_masks_a_token_option() {
        assertThat(Redactor.redact(List.of(), opts("token", "glpat-abcdefgh12345678")))
                .isEqualTo("--token=" + MASK);
    }

    @Test
    void redact_masks_a_password_option_however_short() {
        assertThat(Redactor.redact(List.of(), opts("password", "x"))).isEqualTo("--password=" + MASK);
    }

    @ParameterizedTest
    @ValueSource(strings = {"token", "api-token", "secret", "client_secret", "passwd", "pwd", "pass", "key", "apikey",
        "api_key", "auth", "authorization", "cookie", "credentials", "private-key", "signature", "TOKEN", "Password"})
    void redact_masks_options_whose_names_say_secret(String name) {
        assertThat(Redactor.redact(List.of(), opts(name, "value"))).isEqualTo("--" + name + "=" + MASK);
    }

    @Test
    void redact_keeps_ordinary_options_and_switches() {
        assertThat(Redactor.redact(
                        List.of("set", "flag", "on"), opts("production", null, "user", "group/a", "actors", null)))
                .isEqualTo("set flag on --production --user=group/a --actors");
    }

    @Test
    void redact_keeps_a_secret_named_switch_without_value() {
        assertThat(Redactor.redact(List.of(), opts("token", null))).isEqualTo("--token");
    }

    @Test
    void a_secret_named_switch_followed_by_a_word_masks_every_word_since_the_value_cannot_be_told_apart() {
        assertThat(Redactor.redact(List.of("login", "hunter2"), opts("password", null, "ops", null)))
                .isEqualTo(MASK + " " + MASK + " --password --ops");
        assertThat(Redactor.redact(List.of("login", "hunter2"), opts("ops", null))).isEqualTo("login hunter2 --ops");
    }

    @Test
    void redact_masks_credential_shaped_args_and_values_of_ordinary_options() {
        assertThat(Redactor.redact(List.of("login", "glpat-abcdefgh12345678"), opts("note", "AKIAIOSFODNN7EXAMPLE")))
                .isEqualTo("login " + MASK + " --note=" + MASK);
    }

    @Test
    void redact_of_nothing_is_empty() {
        assertThat(Redactor.redact(List.of(), Map.of())).isEmpty();
    }

    @Test
    void redactText_masks_a_token_option_in_text() {
        assertThat(Redactor.redactText("--token=glpat-abcdefgh12345678")).isEqualTo("--token=" + MASK);
    }

    @Test
    void redactText_masks_a_password_option_in_text() {
        assertThat(Redactor.redactText("run login --password=x")).isEqualTo("run login --password=" + MASK);
    }

    @Test
    void redactText_masks_a_password_pair_inside_a_word() {
        String redacted = Redactor.redactText("run connect db?password=hunter2 now");

        assertThat(redacted).doesNotContain("hunter2").contains("password=" + MASK).startsWith("run connect db?")
                .endsWith(" now");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "password=hunter2",
        "db.password=hunter2",
        "dbpassword=hunter2",
        "PASSWORD=hunter2",
        "password: hunter2",
        "password = hunter2",
        "x,password=hunter2",
        "(password=hunter2)",
        "mode=fast,password=hunter2",
        "user:password=hunter2",
        "a=b=password=hunter2",
        "secret=hunter2 token=hunter2",
    })
    void redactText_masks_secret_pairs_wherever_they_stand(String text) {
        assertThat(Redactor.redactText(text)).doesNotContain("hunter2").contains(MASK);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1234-5678-abcdefgh",
        "xapp-1-A123-456-abcdef0123",
        "glpat-abcdefgh12345678",
        "gldt-abcdefgh12345678",
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab",
    })
    void redactText_masks_credential_shaped_words(String credential) {
        assertThat(Redactor.redactText("use " + credential + " please")).isEqualTo("use " + MASK + " please");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "run whoami",
        "run deploy --production",
        "run feature set my_flag on --actors --user=group/project",
        "run explain SELECT * FROM t WHERE a = 'x y'",
        "the keyboard is broken",
        "passing tests",
        "<@U123> <#C1> @here",
        "https://gitlab.example.com/group/project/-/merge_requests/12",
        "",
    })
    void redactText_leaves_ordinary_text_untouched(String text) {
        assertThat(Redactor.redactText(text)).isEqualTo(text);
    }

    @Test
    void redactText_finds_a_secret_behind_thousands_of_ordinary_pairs() {
        String text = "a:".repeat(5000) + "password=hunter2";

        String redacted = Redactor.redactText(text);

        assertThat(redacted).isEqualTo("a:".repeat(5000) + "password=" + MASK);
    }

    @Test
    void redactText_keeps_the_text_around_an_ordinary_pair() {
        assertThat(Redactor.redactText("see host: db.internal, port=5432 ok"))
                .isEqualTo("see host: db.internal, port=5432 ok");
    }

    @Test
    void redactText_keeps_the_production_switch() {
        assertThat(Redactor.redactText("--production")).isEqualTo("--production");
    }

    /** A text that counts how often the redactor reads one of its characters. */
    private static final class CountingText implements CharSequence {
        private final CharSequence text;
        private final long[] reads;

        CountingText(CharSequence text, long[] reads) {
            this.text = text;
            this.reads = reads;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            reads[0]++;
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new CountingText(text.subSequence(start, end), reads);
        }

        @Override
        public String toString() {
            reads[0] += text.length();
            return text.toString();
        }
    }

    /** How many characters the redactor reads, over all its passes, to redact {@code text}. */
    private static long readsFor(String text) {
        long[] reads = {0};
        Redactor.redactText(text, seen -> new CountingText(seen, reads));
        return reads[0];
    }

    /**
     * Text anyone may send ({@code user find <word>} is audited before any role is checked): the
     * redactor reads each character a bounded number of times, so a long text costs in proportion
     * to its length, never to its square. Counted, not timed.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "a:",
                "a=",
                "a_",
                "1a",
                "a.",
                "a+",
                "a://",
                "x://u:",
                "AKIAZZZZZZZZZZZZZZZZz",
                "glpat-",
                "xoxb-",
                "password=",
                "a=b,",
                "é",
                "a ",
                "aZ0+/",
                "ab:cd@"
            })
    void the_work_grows_in_proportion_to_the_text_whatever_it_repeats(String unit) {
        String text = unit.repeat(4_000 / unit.length());
        String twice = unit.repeat(8_000 / unit.length());

        long reads = readsFor(text);

        assertThat(reads).as("reads for %d characters", text.length()).isLessThan(60L * text.length());
        assertThat(readsFor(twice)).as("reads for twice as much").isLessThan(2 * reads + 60L * unit.length() + 1_000);
    }

    @Test
    void a_text_as_long_as_a_request_may_be_is_redacted_whole() {
        String ordinary = "deploy the service to group/project now ";
        String text =
                ordinary.repeat(1_500) + "token=glpat-abcdefgh12345678 " + "b".repeat(60_000) + " AKIAIOSFODNN7EXAMPLE";

        String redacted = Redactor.redactText(text);

        assertThat(redacted)
                .isEqualTo(ordinary.repeat(1_500) + "token=" + MASK + " " + "b".repeat(60_000) + " " + MASK);
    }
}
