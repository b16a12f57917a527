package dev.chatops.shared.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.edge.SlackSignature.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlackSignatureTest {
    // Slack's published example: https://api.slack.com/authentication/verifying-requests-from-slack
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final long TIMESTAMP = 1531420618L;
    private static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        + "&command=%2Fwebhook-collect&text="
        + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    private static final SlackSignature AT_EXAMPLE_TIME = at(TIMESTAMP);

    private static SlackSignature at(long epochSecond) {
        return new SlackSignature(Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    private static byte[] body() {
        return BODY.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void verify_accepts_slacks_published_example() {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), SIGNATURE, body()))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void sign_reproduces_slacks_published_example() {
        assertThat(SlackSignature.sign(SECRET, TIMESTAMP, body())).isEqualTo(SIGNATURE);
    }

    @Test
    void sign_round_trips_with_verify() {
        byte[] body = "text=%E2%80%94production+caf%C3%A9&user_id=U1".getBytes(StandardCharsets.UTF_8);
        String signature = SlackSignature.sign("another-secret", TIMESTAMP, body);

        assertThat(signature).matches("v0=[0-9a-f]{64}");
        assertThat(AT_EXAMPLE_TIME.verify("another-secret", Long.toString(TIMESTAMP), signature, body))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void sign_round_trips_with_verify_for_an_empty_body() {
        String signature = SlackSignature.sign(SECRET, TIMESTAMP, new byte[0]);

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), signature, new byte[0]))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void verify_accepts_timestamp_300_seconds_old() {
        long then = TIMESTAMP - 300;
        String signature = SlackSignature.sign(SECRET, then, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(then), signature, body())).isEqualTo(Verdict.VALID);
    }

    @Test
    void verify_accepts_timestamp_300_seconds_ahead() {
        long then = TIMESTAMP + 300;
        String signature = SlackSignature.sign(SECRET, then, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(then), signature, body())).isEqualTo(Verdict.VALID);
    }

    @Test
    void verify_rejects_timestamp_301_seconds_old() {
        long then = TIMESTAMP - 301;
        String signature = SlackSignature.sign(SECRET, then, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(then), signature, body()))
                .isEqualTo(Verdict.OUT_OF_WINDOW);
    }

    @Test
    void verify_rejects_timestamp_301_seconds_ahead() {
        long then = TIMESTAMP + 301;
        String signature = SlackSignature.sign(SECRET, then, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(then), signature, body()))
                .isEqualTo(Verdict.OUT_OF_WINDOW);
    }

    @Test
    void verify_rejects_the_published_example_when_the_clock_is_an_hour_later() {
        assertThat(at(TIMESTAMP + 3600).verify(SECRET, Long.toString(TIMESTAMP), SIGNATURE, body()))
                .isEqualTo(Verdict.OUT_OF_WINDOW);
    }

    @Test
    void verify_rejects_a_timestamp_of_zero_as_out_of_window() {
        String signature = SlackSignature.sign(SECRET, 0, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, "0", signature, body())).isEqualTo(Verdict.OUT_OF_WINDOW);
    }

    @Test
    void verify_reports_mismatch_when_one_body_byte_changed() {
        byte[] tampered = body();
        tampered[tampered.length - 1] ^= 0x01;

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), SIGNATURE, tampered))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void verify_reports_mismatch_when_the_first_body_byte_changed() {
        byte[] tampered = body();
        tampered[0] = 'T';

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), SIGNATURE, tampered))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void verify_reports_mismatch_for_another_secret() {
        assertThat(AT_EXAMPLE_TIME.verify(
                        "8f742231b10e8888abcd99yyyzzz85a6", Long.toString(TIMESTAMP), SIGNATURE, body()))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void verify_reports_mismatch_when_the_signed_timestamp_differs_from_the_header() {
        String signedOneSecondEarlier = SlackSignature.sign(SECRET, TIMESTAMP - 1, body());

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), signedOneSecondEarlier, body()))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void verify_reports_mismatch_for_a_well_formed_but_wrong_signature() {
        String wrong = "v0=" + "0".repeat(64);

        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), wrong, body()))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void verify_reports_missing_timestamp_header() {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, null, SIGNATURE, body())).isEqualTo(Verdict.MISSING);
    }

    @Test
    void verify_reports_missing_signature_header() {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), null, body())).isEqualTo(Verdict.MISSING);
    }

    @Test
    void verify_reports_missing_when_both_headers_are_absent() {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, null, null, body())).isEqualTo(Verdict.MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1531420618a", "-1531420618", "+1531420618", " 1531420618", "1531420618 ",
        "1531420618.0", "1e9", "１５３１４２０６１８", "9999999999999"})
    void verify_reports_malformed_timestamp(String timestamp) {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, timestamp, SIGNATURE, body())).isEqualTo(Verdict.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "v0=",
        "V0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50F",
        "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5030",
        "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0:a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=g2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        " v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50 ",
        "v0=+2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503,v1=00",
    })
    void verify_reports_malformed_signature(String signature) {
        assertThat(AT_EXAMPLE_TIME.verify(SECRET, Long.toString(TIMESTAMP), signature, body()))
                .isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void verify_reports_malformed_before_checking_the_window() {
        assertThat(at(TIMESTAMP + 3600).verify(SECRET, Long.toString(TIMESTAMP), SIGNATURE.toUpperCase(), body()))
                .isEqualTo(Verdict.MALFORMED);
    }
}
