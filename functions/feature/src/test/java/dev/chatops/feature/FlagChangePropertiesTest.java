package dev.chatops.feature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.UsageException;
import dev.chatops.testing.Soak;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Whatever is typed after {@code feature set}: a call is either refused with a sentence or becomes a
 * request GitLab's Features API accepts as documented — a name of {@code [a-z0-9_]}, a value of
 * {@code true}, {@code false} or a percentage above 0 and at most 100, a percentage with exactly one
 * {@code key} and no actor, actors only with a boolean.
 */
class FlagChangePropertiesTest {
    private static final List<String> OPTIONS = List.of("actors", "random", "ignore-random-deprecation-check", "user",
            "project", "group", "namespace", "repository", "feature-group");

    @Property(tries = 3000)
    void every_call_is_refused_with_a_reason_or_is_a_documented_request(@ForAll("names") String name,
            @ForAll("values") String value, @ForAll("options") Map<String, String> options) {
        Invocation call;
        try {
            call = Usage.resolve(
                    Catalog.FEATURE, List.of("set", name, value), options, Set.of("staging", "production"));
        } catch (UsageException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        FlagChange.Parsed parsed = FlagChange.parse(call);
        if (parsed instanceof FlagChange.Invalid invalid) {
            assertThat(invalid.reason()).isNotBlank();
            return;
        }
        Map<String, String> params = ((FlagChange.Valid) parsed).change().params();
        assertThat(name).matches("[a-z0-9_]{1,255}");
        String sent = params.get("value");
        if (sent.equals("true") || sent.equals("false")) {
            assertThat(params).doesNotContainKey("key");
        } else {
            BigDecimal percent = new BigDecimal(sent);
            assertThat(sent).matches("\\d+(\\.\\d+)?");
            assertThat(percent).isGreaterThan(BigDecimal.ZERO).isLessThanOrEqualTo(BigDecimal.valueOf(100));
            assertThat(params.get("key")).isIn("percentage_of_actors", "percentage_of_time");
            assertThat(params).containsOnlyKeys("value", "key");
        }
        for (String gate : List.of("user", "project", "group", "namespace", "repository", "feature_group")) {
            if (params.containsKey(gate)) {
                assertThat(params.get(gate)).doesNotContain(" ", "..", ",,").doesNotStartWith(",").doesNotEndWith(",");
            }
        }
    }

    @Property(tries = 50_000)
    @AddLifecycleHook(Soak.Only.class)
    void every_call_in_the_soak_run(@ForAll("names") String name, @ForAll("values") String value,
                                    @ForAll("options") Map<String, String> options) {
        every_call_is_refused_with_a_reason_or_is_a_documented_request(name, value, options);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("abcz_09").ofMinLength(1).ofMaxLength(20),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(20), Arbitraries.of("my_flag", "My-Flag", "a.b", ""));
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "true",
                        "false",
                        "TRUE",
                        "0",
                        "100",
                        "100.0",
                        "101",
                        "12.5",
                        "-1",
                        "1e2",
                        "0.0001",
                        "99.99999",
                        " 5",
                        "5 ",
                        "NaN",
                        ""),
                Arbitraries.integers().between(-5, 150).map(String::valueOf),
                Arbitraries.doubles().between(0, 120).ofScale(3).map(String::valueOf),
                Arbitraries.strings().ofMaxLength(8));
    }

    @Provide
    Arbitrary<Map<String, String>> options() {
        Arbitrary<String> optionValues = Arbitraries.oneOf(Arbitraries.just((String) null),
                Arbitraries.of("bob", "bob,alice", "gitlab-org/gitlab", "12", "a..b", ",", "bob,", " bob", "x.git",
                        "gitlab_team_members", ""),
                Arbitraries.strings().ofMaxLength(12));
        return Arbitraries.maps(Arbitraries.of(OPTIONS), optionValues).ofMaxSize(4).map(LinkedHashMap::new);
    }
}
