package dev.chatops.shared.command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of commands: their declarations. The gateway answers help ({@link Help}) and usage
 * ({@link Usage}) from it and routes by it; each command function looks its commands up in it. A
 * command that is not finished is not here.
 */
public final class Catalog {
    /** {@code whoami}: the caller's Slack ids, linked GitLab account and ChatOps role. */
    public static final CommandSpec WHOAMI = CommandSpec.of("whoami",
            "Shows who you are to ChatOps: your Slack ids, the GitLab account they are linked to, and your role.",
            Target.USER,
            Form.of(Role.ANYONE, "Your Slack ids, linked GitLab account and ChatOps role."));

    /** {@code unlink}: removes the caller's own link. */
    public static final CommandSpec UNLINK = CommandSpec.of("unlink",
            "Removes the link between your Slack account and your GitLab account.",
            Target.USER,
            Form.of(Role.ANYONE, "Unlinks your own Slack account; any command that needs a role offers to link again.")
                    .changing());

    /** {@code link CODE}: the last step of linking, proving in Slack who signed in to GitLab. */
    public static final CommandSpec LINK = CommandSpec.of("link",
            "Finishes linking your Slack account to your GitLab account, with the code the linking page showed you.",
            Target.USER,
            Form.of(Role.ANYONE, "Links the Slack account that types the code to the GitLab account that signed in.",
                    Param.secret("code")).changing());

    /** {@code user find}: a GitLab account and what it still needs, in the order of "Requesting access". */
    public static final CommandSpec USER = CommandSpec.of("user",
            "Finds a GitLab account and tells what it still needs to run ChatOps commands.",
            Target.USER,
            Form.sub("find", Role.ANYONE, "The account (by username or email), its Slack link, its role on the chatops "
                    + "project, and a checklist of what is missing.", Param.required("username|email")).onInstance());

    /** {@code audit}: the latest attempts, for maintainers. */
    public static final CommandSpec AUDIT = CommandSpec.of("audit",
            "Lists the latest ChatOps attempts, newest first.",
            Target.USER,
            Form.of(Role.MAINTAINER, "Who ran what, when, and how it ended.").withOptions(
                    OptionSpec.valued("user", "SLACK_ID", "only this Slack user's attempts (U… or a mention)"),
                    OptionSpec.valued("command", "NAME", "only this command"),
                    OptionSpec.valued("limit", "N", "how many, 1 to 50 (default 20)")));

    /** {@code member}: membership of GitLab projects and groups, through GitLab's Members API. */
    public static final CommandSpec MEMBER = CommandSpec.of("member",
            "Adds, removes and lists members of GitLab projects and groups.",
            Target.MEMBER,
            Form.sub("add", Role.MAINTAINER, "Adds a GitLab user to a project or group.",
                    Param.required("username"), Param.required("project|group"))
                    .withOptions(OptionSpec.valued("level", "guest|reporter|developer|maintainer",
                            "the role to give (default developer)")).onInstance().changing().withApproval(),
            Form.sub("remove", Role.MAINTAINER, "Removes a GitLab user from a project or group.",
                    Param.required("username"), Param.required("project|group")).onInstance().changing()
                    .withApproval(),
            Form.sub("list", Role.DEVELOPER, "Lists the members of a project or group, inherited ones included.",
                    Param.required("project|group")).onInstance());

    /**
     * {@code access}: the seed's "Requesting access", self-service: a person asks for a role on the
     * chatops project with a reason, and a maintainer or owner approves it in the channel (always:
     * a request for access is its own approval, whatever {@code APPROVALS} says).
     */
    public static final CommandSpec ACCESS = CommandSpec.of("access",
            "Asks for a role on the chatops project, granted for a limited time once a maintainer approves it.",
            Target.MEMBER,
            Form.sub("request", Role.ANYONE, "Asks for a role on the chatops project (default developer), with "
                    + "your reason; tells you which steps of \"Requesting access\" remain when you cannot ask yet.")
                    .withOptions(
                            OptionSpec.valued("level", "guest|reporter|developer|maintainer",
                                    "the role to ask for (default developer)"),
                            OptionSpec.valued("reason", "\"WHY\"", "why you need it (required, up to 300 characters)"))
                    .alwaysApproved(),
            Form.sub("list", Role.MAINTAINER, "The pending access requests: who, which role, why, asked when, "
                    + "expiring when."));

    /**
     * {@code feature}: GitLab's feature flags through its Features API, on one or several instances,
     * with GitLab.com's ChatOps options and its checks before a production change.
     */
    public static final CommandSpec FEATURE = CommandSpec.of(
            "feature",
            "Lists, shows, sets and deletes GitLab feature flags, on one or several instances.",
            Target.FEATURE,
            Form.sub("list", Role.DEVELOPER, "Enabled and disabled flags, with how each is on.")
                    .withOptions(OptionSpec.valued("match", "TEXT", "only flags whose name contains TEXT"))
                    .onInstances(),
            Form.sub("get", Role.DEVELOPER, "One flag: its state and every gate.", Param.required("name"))
                    .onInstances(),
            Form.sub(
                            "set",
                            Role.DEVELOPER,
                            "Sets a flag to true, false or a percentage, for everyone or for actors; shows it before →"
                                    + " after. On production: checks staging, open incidents and the channel first, and"
                                    + " logs the change.",
                            Param.required("name"),
                            Param.required("true|false|percentage"))
                    .withOptions(
                            OptionSpec.flag(
                                    "actors", "the percentage is of actors (each user, project… always sees the same)"),
                            OptionSpec.flag(
                                    "random",
                                    "the percentage is of time (deprecated; needs --ignore-random-deprecation-check)"),
                            OptionSpec.valued(
                                    "user", "USERNAMES", "only for these users (comma-separated usernames or ids)"),
                            OptionSpec.valued("project", "PATHS", "only for these projects (paths or ids)"),
                            OptionSpec.valued("group", "PATHS", "only for these groups (paths or ids)"),
                            OptionSpec.valued("namespace", "PATHS", "only for these group or user namespaces (paths)"),
                            OptionSpec.valued(
                                    "repository",
                                    "PATHS",
                                    "only for these repositories (`group/project.git`, `….wiki.git`)"),
                            OptionSpec.valued("feature-group", "NAME", "only for this feature group"),
                            OptionSpec.flag("ignore-random-deprecation-check", "allow a percentage of time"),
                            OptionSpec.flag(
                                    "ignore-feature-flag-consistency-check",
                                    "change production even though staging disagrees (or staging against production)"),
                            OptionSpec.flag("ignore-production-check", "change production despite open incidents"))
                    .onInstances()
                    .changing()
                    .withApproval()
                    .onProductionNeeds(Role.MAINTAINER),
            Form.sub(
                            "delete",
                            Role.DEVELOPER,
                            "Deletes a flag's stored gates, so its default applies again.",
                            Param.required("name"))
                    .withOptions(
                            OptionSpec.flag(
                                    "ignore-feature-flag-consistency-check",
                                    "delete on staging even though production has it on"),
                            OptionSpec.flag("ignore-production-check", "delete on production despite open incidents"))
                    .onInstances()
                    .changing()
                    .withApproval()
                    .onProductionNeeds(Role.MAINTAINER));

    /**
     * {@code explain}: {@code EXPLAIN (ANALYZE, BUFFERS)} of one query on an instance's database
     * replica. The statement is taken as typed; only options at the very end are options.
     */
    public static final CommandSpec EXPLAIN = CommandSpec.of("explain",
            "Runs EXPLAIN (ANALYZE, BUFFERS) of a query on an instance's database replica, in a read-only transaction.",
            Target.EXPLAIN,
            Form.of(Role.DEVELOPER, "The plan with a summary first: times, rows, buffers, the slowest node and what to "
                    + "look at. Only one query (SELECT, WITH … SELECT, TABLE, VALUES); options go at the very end.",
                    Param.rest("statement"))
                    .withOptions(OptionSpec.flag("no-analyze", "plan only: the query is not run"))
                    .onInstance());

    /** {@code auto_deploy status [sha]}: what is deployed where, and whether a commit has reached each environment. */
    public static final CommandSpec AUTO_DEPLOY = CommandSpec.of(
            "auto_deploy",
            "Shows what is deployed to each environment, or whether a commit has reached each one.",
            Target.AUTO_DEPLOY,
            Form.sub(
                    "status",
                    Role.DEVELOPER,
                    "Each environment in deploy order: revision, branch, package, status, when and by whom, its"
                            + " pipeline and the diff to the next; with a commit sha (7 to 40 hex digits), whether that"
                            + " commit is deployed there.",
                    Param.optional("commit_sha")));

    private static final Catalog STANDARD =
            new Catalog(List.of(WHOAMI, LINK, UNLINK, USER, AUDIT, MEMBER, ACCESS, FEATURE, EXPLAIN, AUTO_DEPLOY));

    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();

    public Catalog(List<CommandSpec> specs) {
        for (CommandSpec spec : specs) {
            if (commands.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("command declared twice: " + spec.name());
            }
        }
    }

    public static Catalog standard() {
        return STANDARD;
    }

    public List<CommandSpec> all() {
        return List.copyOf(commands.values());
    }

    public Optional<CommandSpec> find(String name) {
        return Optional.ofNullable(commands.get(name.toLowerCase(Locale.ROOT)));
    }
}
