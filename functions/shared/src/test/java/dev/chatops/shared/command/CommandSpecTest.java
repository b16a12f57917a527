package dev.chatops.shared.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSpecTest {

    @Test
    void spec_rejects_mixing_forms_with_and_without_subcommands() {
        assertThatThrownBy(() -> CommandSpec.of("feature", "s", Target.FEATURE,
                Form.sub("get", Role.ANYONE, "d"), Form.of(Role.ANYONE, "d")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature");
        assertThatThrownBy(() -> CommandSpec.of("feature", "s", Target.FEATURE,
                Form.of(Role.ANYONE, "d"), Form.sub("get", Role.ANYONE, "d")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spec_rejects_two_forms_without_subcommands() {
        assertThatThrownBy(() -> CommandSpec.of("ping", "s", Target.USER,
                Form.of(Role.ANYONE, "d"), Form.of(Role.ANYONE, "d", Param.required("x"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spec_rejects_no_forms() {
        assertThatThrownBy(() -> CommandSpec.of("ping", "s", Target.USER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one form");
    }

    @Test
    void spec_copies_its_forms() {
        List<Form> forms = new ArrayList<>(List.of(Form.sub("get", Role.ANYONE, "d")));
        CommandSpec spec = new CommandSpec("feature", "s", Target.FEATURE, forms);

        forms.add(Form.sub("set", Role.ANYONE, "d"));

        assertThat(spec.forms()).hasSize(1);
        assertThatThrownBy(() -> spec.forms().add(Form.sub("x", Role.ANYONE, "d")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void form_finds_a_subcommand_by_exact_name_only() {
        Form get = Form.sub("get", Role.ANYONE, "d");
        CommandSpec spec = CommandSpec.of("feature", "s", Target.FEATURE, get, Form.sub("set", Role.ANYONE, "d"));

        assertThat(spec.hasSubcommands()).isTrue();
        assertThat(spec.form("get")).containsSame(get);
        assertThat(spec.form("delete")).isEmpty();
    }

    @Test
    void a_spec_without_subcommands_finds_no_subcommand_form() {
        CommandSpec spec = CommandSpec.of("ping", "s", Target.USER, Form.of(Role.ANYONE, "d"));

        assertThat(spec.hasSubcommands()).isFalse();
        assertThat(spec.form("ping")).isEmpty();
    }

    @Test
    void with_options_keeps_the_rest_of_the_form() {
        Form form = Form.sub("set", Role.MAINTAINER, "Sets.", Param.required("name"))
                .withOptions(OptionSpec.flag("actors", "a"));

        assertThat(form.subcommand()).isEqualTo("set");
        assertThat(form.role()).isEqualTo(Role.MAINTAINER);
        assertThat(form.description()).isEqualTo("Sets.");
        assertThat(form.params()).containsExactly(Param.required("name"));
        assertThat(form.options()).containsExactly(OptionSpec.flag("actors", "a"));
    }

    @Test
    void param_usage_marks_optional_and_rest_params() {
        assertThat(Param.required("name").usage()).isEqualTo("<name>");
        assertThat(Param.optional("name").usage()).isEqualTo("[<name>]");
        assertThat(new Param("words", false, true).usage()).isEqualTo("<words>…");
        assertThat(new Param("words", true, true).usage()).isEqualTo("[<words>…]");
    }

    @Test
    void option_usage_shows_the_value_name_of_a_valued_option() {
        assertThat(OptionSpec.flag("actors", "d").usage()).isEqualTo("--actors");
        assertThat(OptionSpec.flag("actors", "d").takesValue()).isFalse();
        assertThat(OptionSpec.valued("user", "PATHS", "d").usage()).isEqualTo("--user=PATHS");
        assertThat(OptionSpec.valued("user", "PATHS", "d").takesValue()).isTrue();
    }

    @Test
    void usage_exception_carries_its_spec_and_message() {
        CommandSpec spec = CommandSpec.of("ping", "s", Target.USER, Form.of(Role.ANYONE, "d"));

        UsageException e = new UsageException("wrong", spec);

        assertThat(e).hasMessage("wrong");
        assertThat(e.spec()).isSameAs(spec);
    }
}
