package dev.chatops.shared.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private static final String SLASH = "/chatops";

    private static final CommandSpec FEATURE = CommandSpec.of(
            "feature",
            "Reads and sets feature flags.",
            Target.FEATURE,
            Form.sub("get", Role.DEVELOPER, "Shows a flag.", Param.required("name")),
            Form.sub("set", Role.MAINTAINER, "Sets a flag.", Param.required("name"), Param.required("value"))
                    .withOptions(
                            OptionSpec.flag("actors", "Lists the actors too."),
                            OptionSpec.valued("user", "PATHS", "Only for these users.")));

    private static final CommandSpec PING = CommandSpec.of("ping", "Answers pong.", Target.USER,
            Form.of(Role.ANYONE, "Answers pong."));

    private static final CommandSpec ECHO = CommandSpec.of("echo", "Says the words back.", Target.USER,
            Form.of(Role.GUEST, "Says the words back.", Param.required("first"), new Param("more", true, true)));

    private static final CommandSpec GREET = CommandSpec.of("greet", "Greets someone.", Target.USER,
            Form.of(Role.ANYONE, "Greets someone.", Param.optional("who")));

    private static final CommandSpec MEMBER = CommandSpec.of("member", "Manages members.", Target.MEMBER,
            Form.sub("add", Role.OWNER, "Adds a member.", Param.required("user")));

    private static final Catalog OURS = new Catalog(List.of(PING, FEATURE, ECHO, GREET, MEMBER));

    private static Map<String, String> opts(String... nameValue) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            options.put(nameValue[i], nameValue[i + 1]);
        }
        return options;
    }

    private static UsageException usageError(CommandSpec spec, List<String> args, Map<String, String> options) {
        UsageException e = catchThrowableOfType(UsageException.class, () -> Usage.resolve(spec, args, options));
        assertThat(e).as("a UsageException").isNotNull();
        assertThat(e.spec()).isSameAs(spec);
        return e;
    }

    // resolve: failures

    @Test
    void resolve_reports_a_missing_subcommand_and_lists_the_subcommands() {
        UsageException e = usageError(FEATURE, List.of(), opts());

        assertThat(e).hasMessage("`feature` needs a subcommand: `get`, `set`.");
    }

    @Test
    void resolve_reports_an_unknown_subcommand() {
        UsageException e = usageError(FEATURE, List.of("delete", "x"), opts());

        assertThat(e).hasMessage("`feature delete` is not a subcommand; use one of `get`, `set`.");
    }

    @Test
    void resolve_reports_a_missing_param_by_its_usage() {
        UsageException e = usageError(FEATURE, List.of("set", "flag"), opts());

        assertThat(e).hasMessage("`feature set` is missing <value>.");
    }

    @Test
    void resolve_reports_the_first_missing_param() {
        UsageException e = usageError(FEATURE, List.of("set"), opts());

        assertThat(e.getMessage()).contains("<name>").doesNotContain("<value>");
    }

    @Test
    void resolve_reports_an_extra_param() {
        UsageException e = usageError(FEATURE, List.of("get", "flag", "extra"), opts());

        assertThat(e).hasMessage("`feature get` does not take `extra`.");
    }

    @Test
    void resolve_reports_that_a_command_without_params_takes_no_arguments() {
        UsageException e = usageError(PING, List.of("now"), opts());

        assertThat(e).hasMessage("`ping` does not take `now`: it takes no arguments.");
    }

    @Test
    void resolve_shortens_a_long_extra_param_in_its_message() {
        UsageException e = usageError(PING, List.of("x".repeat(500)), opts());

        assertThat(e.getMessage()).hasSizeLessThan(120).contains("…");
    }

    @Test
    void resolve_reports_an_unknown_option() {
        UsageException e = usageError(FEATURE, List.of("get", "flag"), opts("actors", null));

        assertThat(e).hasMessage("`--actors` is not an option of `feature get`.");
    }

    @Test
    void resolve_reports_an_unknown_option_of_a_command_without_subcommands() {
        UsageException e = usageError(PING, List.of(), opts("production", null));

        assertThat(e).hasMessage("`--production` is not an option of `ping`.");
    }

    @Test
    void resolve_reports_a_valued_option_without_value() {
        UsageException e = usageError(FEATURE, List.of("set", "flag", "on"), opts("user", null));

        assertThat(e).hasMessage("`--user` needs a value: `--user=PATHS`.");
    }

    @Test
    void resolve_reports_a_valued_option_with_an_empty_value() {
        UsageException e = usageError(FEATURE, List.of("set", "flag", "on"), opts("user", ""));

        assertThat(e.getMessage()).contains("needs a value");
    }

    @Test
    void resolve_reports_a_switch_given_a_value() {
        UsageException e = usageError(FEATURE, List.of("set", "flag", "on"), opts("actors", "yes"));

        assertThat(e).hasMessage("`--actors` takes no value.");
    }

    @Test
    void resolve_reports_a_switch_given_an_empty_value() {
        UsageException e = usageError(FEATURE, List.of("set", "flag", "on"), opts("actors", ""));

        assertThat(e).hasMessage("`--actors` takes no value.");
    }

    @Test
    void resolve_checks_options_before_params_so_a_stray_option_is_named() {
        UsageException e = usageError(FEATURE, List.of("set", "flag"), opts("nope", null));

        assertThat(e.getMessage()).isEqualTo("`--nope` is not an option of `feature set`.");
    }

    // resolve: success

    @Test
    void resolve_returns_the_form_args_and_options_of_a_subcommand() {
        Map<String, String> options = opts("actors", null, "user", "group/a,group/b");

        Invocation call = Usage.resolve(FEATURE, List.of("set", "flag", "on"), options);

        assertThat(call.spec()).isSameAs(FEATURE);
        assertThat(call.form()).isSameAs(FEATURE.forms().get(1));
        assertThat(call.form().subcommand()).isEqualTo("set");
        assertThat(call.args()).containsExactly("flag", "on");
        assertThat(call.options()).containsExactlyEntriesOf(options);
        assertThat(call.has("actors")).isTrue();
        assertThat(call.option("actors")).isEmpty();
        assertThat(call.option("user")).contains("group/a,group/b");
        assertThat(call.has("production")).isFalse();
    }

    @Test
    void resolve_accepts_a_subcommand_in_any_case() {
        Invocation call = Usage.resolve(FEATURE, List.of("GET", "flag"), opts());

        assertThat(call.form().subcommand()).isEqualTo("get");
        assertThat(call.args()).containsExactly("flag");
    }

    @Test
    void resolve_takes_the_only_form_of_a_command_without_subcommands() {
        Invocation call = Usage.resolve(PING, List.of(), opts());

        assertThat(call.form()).isSameAs(PING.forms().get(0));
        assertThat(call.args()).isEmpty();
        assertThat(call.options()).isEmpty();
    }

    @Test
    void resolve_lets_a_rest_param_take_every_remaining_word() {
        Invocation call = Usage.resolve(ECHO, List.of("a", "b", "c", "d"), opts());

        assertThat(call.args()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void resolve_lets_a_rest_param_be_empty_but_still_needs_the_required_one() {
        assertThat(Usage.resolve(ECHO, List.of("a"), opts()).args()).containsExactly("a");
        assertThat(usageError(ECHO, List.of(), opts())).hasMessage("`echo` is missing <first>.");
    }

    @Test
    void resolve_accepts_an_optional_param_given_or_not() {
        assertThat(Usage.resolve(GREET, List.of(), opts()).args()).isEmpty();
        assertThat(Usage.resolve(GREET, List.of("bob"), opts()).args()).containsExactly("bob");
        assertThat(usageError(GREET, List.of("bob", "alice"), opts())).hasMessage("`greet` does not take `alice`.");
    }

    @Test
    void resolve_copies_the_args() {
        List<String> args = new ArrayList<>(List.of("get", "flag"));

        Invocation call = Usage.resolve(FEATURE, args, opts());
        args.set(1, "changed");

        assertThat(call.args()).containsExactly("flag");
        assertThatThrownBy(() -> call.args().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    // catalogue

    @Test
    void standard_catalog_contains_whoami() {
        assertThat(Catalog.standard().find("whoami")).containsSame(Catalog.WHOAMI);
        assertThat(Catalog.standard().all()).contains(Catalog.WHOAMI);
        assertThat(Catalog.WHOAMI.target()).isEqualTo(Target.USER);
        assertThat(Catalog.WHOAMI.hasSubcommands()).isFalse();
    }

    @Test
    void whoami_takes_no_arguments_and_needs_no_role() {
        assertThat(Usage.resolve(Catalog.WHOAMI, List.of(), Map.of()).form().role()).isEqualTo(Role.ANYONE);
        assertThatThrownBy(() -> Usage.resolve(Catalog.WHOAMI, List.of("x"), Map.of()))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void find_ignores_case_and_knows_nothing_else() {
        assertThat(OURS.find("FeAtUrE")).containsSame(FEATURE);
        assertThat(OURS.find("features")).isEmpty();
        assertThat(OURS.find("")).isEmpty();
    }

    @Test
    void all_lists_commands_in_declaration_order() {
        assertThat(OURS.all()).containsExactly(PING, FEATURE, ECHO, GREET, MEMBER);
    }

    @Test
    void catalog_rejects_a_command_declared_twice() {
        assertThatThrownBy(() -> new Catalog(List.of(PING, FEATURE, PING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ping");
    }

    // closest

    @Test
    void closest_suggests_whoami_for_whoam() {
        assertThat(Help.closest(Catalog.standard(), "whoam", 3)).containsExactly("whoami");
    }

    @Test
    void closest_suggests_whoami_for_near_misses() {
        Catalog standard = Catalog.standard();

        assertThat(Help.closest(standard, "WHOAMI", 3)).containsExactly("whoami");
        assertThat(Help.closest(standard, "whoamii", 3)).containsExactly("whoami");
        assertThat(Help.closest(standard, "hwoami", 3)).containsExactly("whoami");
        assertThat(Help.closest(standard, "whoareyou", 3)).isEmpty();
        assertThat(Help.closest(standard, "wh", 3)).containsExactly("whoami");
    }

    @Test
    void closest_suggests_nothing_for_xyz() {
        assertThat(Help.closest(Catalog.standard(), "xyz", 3)).isEmpty();
        assertThat(Help.closest(OURS, "xyz", 3)).isEmpty();
    }

    @Test
    void closest_suggests_nothing_for_an_empty_or_one_letter_name() {
        assertThat(Help.closest(Catalog.standard(), "", 3)).isEmpty();
        assertThat(Help.closest(Catalog.standard(), "w", 3)).isEmpty();
    }

    @Test
    void closest_finds_typos_transpositions_and_prefixes_in_our_catalog() {
        assertThat(Help.closest(OURS, "featur", 3)).containsExactly("feature");
        assertThat(Help.closest(OURS, "faeture", 3)).containsExactly("feature");
        assertThat(Help.closest(OURS, "memebr", 3)).containsExactly("member");
        assertThat(Help.closest(OURS, "features", 3)).containsExactly("feature");
        assertThat(Help.closest(OURS, "pong", 3)).containsExactly("ping");
    }

    @Test
    void closest_orders_nearest_first_and_stops_at_max() {
        Catalog catalog = new Catalog(List.of(
                CommandSpec.of("us", "s", Target.USER, Form.of(Role.ANYONE, "d")),
                CommandSpec.of("users", "s", Target.USER, Form.of(Role.ANYONE, "d")),
                CommandSpec.of("uses", "s", Target.USER, Form.of(Role.ANYONE, "d")),
                CommandSpec.of("user", "s", Target.USER, Form.of(Role.ANYONE, "d"))));

        assertThat(Help.closest(catalog, "user", 5)).containsExactly("user", "users", "uses", "us");
        assertThat(Help.closest(catalog, "user", 2)).containsExactly("user", "users");
        assertThat(Help.closest(catalog, "user", 1)).containsExactly("user");
        assertThat(Help.closest(catalog, "user", 0)).isEmpty();
    }

    @Test
    void distance_counts_a_transposition_as_one_edit() {
        assertThat(Help.distance("whoami", "whoami")).isZero();
        assertThat(Help.distance("whoami", "hwoami")).isEqualTo(1);
        assertThat(Help.distance("whoam", "whoami")).isEqualTo(1);
        assertThat(Help.distance("", "abc")).isEqualTo(3);
        assertThat(Help.distance("kitten", "sitting")).isEqualTo(3);
    }

    // help

    @Test
    void help_lists_every_command_with_its_summary_sorted_by_name() {
        String help = Help.commands(OURS, SLASH);

        assertThat(help).startsWith("*Commands* — `/chatops run <command> …`, and `/chatops run help <command>`");
        for (CommandSpec spec : OURS.all()) {
            assertThat(help).contains("• `" + spec.name() + "` — " + spec.summary());
        }
        assertThat(help.indexOf("`echo`")).isLessThan(help.indexOf("`feature`"));
        assertThat(help.indexOf("`feature`")).isLessThan(help.indexOf("`greet`"));
        assertThat(help.indexOf("`member`")).isLessThan(help.indexOf("`ping`"));
    }

    @Test
    void standard_help_lists_whoami() {
        assertThat(Help.commands(Catalog.standard(), "/ops")).contains("• `whoami` — " + Catalog.WHOAMI.summary())
                .contains("/ops run help <command>");
    }

    @Test
    void help_of_a_command_shows_every_usage_line_role_and_option() {
        String help = Help.of(SLASH, FEATURE);

        assertThat(help).startsWith("*feature* — Reads and sets feature flags.")
                .contains("`/chatops run feature get <name>`\nShows a flag.\nNeeds: developer on the chatops project")
                .contains("`/chatops run feature set <name> <value> [--actors] [--user=PATHS]`\nSets a flag."
                        + "\nNeeds: maintainer on the chatops project")
                .contains("\n  `--actors` — Lists the actors too.")
                .contains("\n  `--user=PATHS` — Only for these users.");
    }

    @Test
    void help_of_whoami_says_anyone_may_run_it() {
        assertThat(Help.of(SLASH, Catalog.WHOAMI))
                .contains("`/chatops run whoami`")
                .contains("Needs: nothing (anyone may run it)");
    }

    @Test
    void usage_has_one_line_per_form() {
        assertThat(FEATURE.usage(SLASH)).isEqualTo("/chatops run feature get <name>\n"
                + "/chatops run feature set <name> <value> [--actors] [--user=PATHS]");
        assertThat(ECHO.usage(SLASH)).isEqualTo("/chatops run echo <first> [<more>…]");
        assertThat(GREET.usage(SLASH)).isEqualTo("/chatops run greet [<who>]");
    }
}
