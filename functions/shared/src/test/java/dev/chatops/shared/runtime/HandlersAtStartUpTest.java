package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.command.ApprovalPolicy;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A function whose command has a form without its own handler, or a handler for no form, does not
 * start: a form added to the catalogue can never fall through to another form's work (deleting
 * flags, say).
 */
@ExtendWith(MotoExtension.class)
class HandlersAtStartUpTest {
    private static final Command.Handler ANSWER = call -> Reply.line("done");

    @Test
    void a_declared_form_without_a_handler_stops_the_runtime_at_start_up_naming_command_and_form(LocalAws aws) {
        Services services = new RuntimeFixture(aws, Clock.systemUTC()).services;
        Command member = RuntimeFixture.command(Catalog.MEMBER, Map.of("add", ANSWER, "list", ANSWER));

        assertThatThrownBy(() -> new CommandRuntime(List.of(member), services))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command `member`: the form `member remove` has no handler");
    }

    @Test
    void a_handler_for_a_form_the_catalogue_does_not_declare_stops_the_runtime_at_start_up(LocalAws aws) {
        Services services = new RuntimeFixture(aws, Clock.systemUTC()).services;
        Command feature = RuntimeFixture.command(Catalog.FEATURE, Map.of("list", ANSWER, "get", ANSWER, "set", ANSWER,
                "delete", ANSWER, "purge", ANSWER));

        assertThatThrownBy(() -> new CommandRuntime(List.of(feature), services))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command `feature`: the handler for `feature purge` matches no form it declares (`feature"
                        + " list`, `feature get`, `feature set`, `feature delete`)");
    }

    @Test
    void a_form_that_may_wait_for_approval_needs_a_handler_that_can_preview_it(LocalAws aws) {
        Services services = new RuntimeFixture(aws, Clock.systemUTC()).services;
        Command.Approvable previewing = Command.approvable(ANSWER, call -> new Command.Preview.Change("• it"));
        Command feature = RuntimeFixture.command(Catalog.FEATURE, Map.of("list", ANSWER, "get", ANSWER, "set",
                previewing, "delete", ANSWER));

        assertThatThrownBy(() -> new CommandRuntime(List.of(feature), services))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command `feature`: the form `feature delete` may wait for approval, but its handler "
                        + "cannot preview it");
    }

    @Test
    void a_function_whose_changes_wait_for_approval_needs_the_approvals_table(LocalAws aws) {
        Command.Approvable previewing = Command.approvable(ANSWER, call -> new Command.Preview.Change("• it"));
        Command feature = RuntimeFixture.command(Catalog.FEATURE, Map.of("list", ANSWER, "get", ANSWER, "set",
                previewing, "delete", previewing));
        RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC());
        Services services = fixture.services;
        Approvals withoutTable = new Approvals(ApprovalPolicy.PRODUCTION, Duration.ofMinutes(15), Optional.empty());

        assertThatThrownBy(() -> new CommandRuntime(List.of(feature), services.claims(), services.audit(),
                services.replies(), services.authorizer(), services.linkState(), Set.of("production"),
                services.channelRule(), withoutTable, "ops/chatops", Clock.systemUTC()))
                .hasMessage("APPROVALS_TABLE is needed: changes here wait for approval (APPROVALS=production)");
        assertThat(new CommandRuntime(List.of(feature), services.claims(), services.audit(), services.replies(),
                services.authorizer(), services.linkState(), Set.of("production"), services.channelRule(),
                Approvals.none(), "ops/chatops", Clock.systemUTC())).isNotNull();
    }

    @Test
    void a_command_without_subcommands_has_its_one_handler_under_the_empty_key(LocalAws aws) {
        Services services = new RuntimeFixture(aws, Clock.systemUTC()).services;
        CommandSpec plain = CommandSpec.of("plain", "One form.", Target.USER, Form.of(Role.ANYONE, "Answers."));

        assertThatThrownBy(() ->
                        new CommandRuntime(List.of(RuntimeFixture.command(plain, Map.of("plain", ANSWER))), services))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command `plain`: the form `plain` has no handler");
        assertThat(new CommandRuntime(List.of(RuntimeFixture.command(plain, Map.of("", ANSWER))), services))
                .isNotNull();
    }

    @Test
    void a_form_that_always_waits_needs_the_approvals_table_whatever_the_policy_says(LocalAws aws) {
        Services services = new RuntimeFixture(aws, Clock.systemUTC()).services;
        Command.Approvable asks = Command.approvable(ANSWER, call -> new Command.Preview.Change("a change"));
        CommandSpec always = CommandSpec.of("ask", "Asks.", Target.MEMBER,
                Form.sub("for", Role.ANYONE, "Asks for something.").alwaysApproved());
        CommandSpec byPolicy = CommandSpec.of("set", "Sets.", Target.MEMBER,
                Form.sub("it", Role.DEVELOPER, "Sets it.").changing().withApproval());
        Approvals none = new Approvals(ApprovalPolicy.NONE, Duration.ofMinutes(15), Optional.empty());

        assertThatThrownBy(() -> runtime(services, RuntimeFixture.command(always, Map.of("for", asks)), none))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("APPROVALS_TABLE is needed: changes here wait for approval (some forms here always wait)");
        assertThat(runtime(services, RuntimeFixture.command(byPolicy, Map.of("it", asks)), none)).isNotNull();
    }

    private static CommandRuntime runtime(Services services, Command command, Approvals approvals) {
        return new CommandRuntime(List.of(command), services.claims(), services.audit(), services.replies(),
                services.authorizer(), services.linkState(), services.gitlabConfig().instances().keySet(),
                services.channelRule(), approvals, "ops/chatops", Clock.systemUTC());
    }
}
