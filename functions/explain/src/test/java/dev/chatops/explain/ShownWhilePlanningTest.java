package dev.chatops.explain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which planning-time messages may be shown: a few shapes that name only what the statement spells
 * out. What a security review sent through the first rule ("every quoted part is in the statement")
 * is withheld here.
 */
class ShownWhilePlanningTest {
    @Test
    void misspelt_names_and_syntax_errors_are_shown() {
        assertThat(Replica.shownWhilePlanning("ERROR: column \"emial\" does not exist", "SELECT emial FROM users"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning("ERROR: relation \"userz\" does not exist", "SELECT * FROM Userz"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: relation \"public.userz\" does not exist", "SELECT * FROM public.userz"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning("ERROR: column u.emial does not exist", "SELECT u.emial FROM users u"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: function lenght(text) does not exist", "SELECT lenght(email) FROM users"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: operator does not exist: text = integer", "SELECT 1 FROM users WHERE email = 1"))
                .isTrue();
        assertThat(Replica.shownWhilePlanning("ERROR: syntax error at or near \"FORM\"", "SELECT 1 FORM users"))
                .isTrue();
    }

    @Test
    void a_value_the_planner_read_is_withheld_however_it_is_quoted() {
        String sql = "SELECT 1 FROM users WHERE id = ('\"' || current_setting('app.note'))::int";
        // The quote put before the value pairs the message's quotes around nothing.
        assertThat(Replica.shownWhilePlanning("ERROR: invalid input syntax for type integer: \"\"s3cret\"", sql))
                .isFalse();
        // Unquoted values.
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: requested character too large for encoding: 7391428", "SELECT chr(x)"))
                .isFalse();
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: date field value out of range: 7391428-13-01", "SELECT make_date(x, 13, 1)"))
                .isFalse();
        // A literal's own bad input is withheld too: its shape is the same as a read value's.
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: invalid input syntax for type integer: \"abc\"", "SELECT 'abc'::int"))
                .isFalse();
    }

    @Test
    void a_name_is_shown_only_when_the_statement_spells_it_as_a_word() {
        // A relation named by a value read while planning: (current_setting('x'))::regclass.
        assertThat(Replica.shownWhilePlanning("ERROR: relation \"s3cret\" does not exist",
                "SELECT current_setting('x')::regclass")).isFalse();
        assertThat(Replica.shownWhilePlanning("ERROR: relation \"s3\" does not exist", "SELECT 's3cret'::regclass"))
                .isFalse();
        assertThat(Replica.shownWhilePlanning(
                        "ERROR: relation \"nowhere\" does not exist", "SELECT 'nowhere'::regclass"))
                .isTrue();
        // Quoted identifiers keep their case and may hold anything: not a shape shown.
        assertThat(Replica.shownWhilePlanning("ERROR: column \"Emial\" does not exist", "SELECT \"Emial\" FROM users"))
                .isFalse();
    }
}
