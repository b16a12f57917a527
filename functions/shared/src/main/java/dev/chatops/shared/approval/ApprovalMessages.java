package dev.chatops.shared.approval;

import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;

import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.composition.ConfirmationDialogObject;
import com.slack.api.model.block.element.BlockElements;
import com.slack.api.model.block.element.ButtonElement;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.Reply;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What people read about an approval: the request in the channel with its Approve and Deny buttons
 * (each behind a confirmation dialog), its outcome in place of it, and the answers to clicks that
 * decide nothing (seen only by the person who clicked).
 */
public final class ApprovalMessages {
    /** The buttons' actions: {@code <command>.approve} and {@code <command>.deny}. */
    public static final String APPROVE = "approve";
    public static final String DENY = "deny";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private ApprovalMessages() {
    }

    /** The request, in the channel: who asks, the exact change, when it expires, and the two buttons. */
    public static Reply request(Approval approval, String project, Instant now) {
        String requester = "<@" + approval.request().userId() + ">";
        // White space collapsed, so that no option hides past the cut; every option is also listed below.
        String display = Text.inCode(approval.request().display().replaceAll("\\s+", " "), 300);
        String title = ":raised_hand: " + requester + " asks for a second person's approval to run `" + display + "`";
        ButtonElement approve = BlockElements.button(b -> b.text(plainText("Approve")).style("primary")
                .actionId(approval.request().command() + "." + APPROVE).value(approval.id())
                .confirm(dialog("Approve this change?", "It is made at once, asked by " + requester
                        + " and approved by you: `" + Text.inCode(approval.request().display(), 200) + "`", "Approve",
                        null)));
        ButtonElement deny = BlockElements.button(b -> b.text(plainText("Deny")).style("danger")
                .actionId(approval.request().command() + "." + DENY).value(approval.id())
                .confirm(dialog("Deny this change?", "Nothing is changed; " + requester + " is told.", "Deny",
                        "danger")));
        Reply.Builder message = Reply.inChannel(title).text(title).text(approval.summary());
        if (!approval.request().options().isEmpty()) {
            message.context("Options given: " + String.join(", ", approval.request().options().entrySet().stream()
                    .map(o -> "`--" + Text.inCode(o.getKey(), 60) + (o.getValue() == null ? "" : "="
                            + Text.inCode(o.getValue(), 100)) + "`").toList())
                    + (approval.request().options().keySet().stream().anyMatch(o -> o.startsWith("ignore-"))
                    ? " — :warning: a check these skip is skipped when the change is made, too" : ""));
        }
        return message
                .context("Anyone with " + Role.ofAccessLevel(approval.approverLevel()).label() + " or more on `"
                        + Text.inCode(project, 100) + "`, other than " + requester + ", may approve until "
                        + time(approval.expiresAt()) + " (" + howLong(Duration.between(now, approval.expiresAt()))
                        + "). Request `" + approval.request().requestId() + "`.")
                .block(Blocks.actions(List.of(approve, deny)))
                .auditDetail("approval " + approval.id() + " asked; expires " + approval.expiresAt())
                .build();
    }

    /** In place of the request: denied, nothing changed. */
    public static Reply denied(Approval approval) {
        Approval.Decision by = approval.decision().orElseThrow();
        String text = ":no_entry_sign: <@" + by.slackUserId() + "> denied <@" + approval.request().userId() + ">'s `"
                + Text.inCode(approval.request().display(), 300) + "`. Nothing was changed.";
        return Reply.inChannel(text).replacingOriginal().text(text).context(approval.summary()).build();
    }

    /** The note under an approved change's outcome, which replaces the request. */
    public static String approvedNote(Approval approval) {
        Approval.Decision by = approval.decision().orElseThrow();
        return ":white_check_mark: Approved by <@" + by.slackUserId() + "> (`" + Text.inCode(by.gitlabUsername(), 80)
                + "`) for <@" + approval.request().userId() + "> (`"
                + Text.inCode(approval.requesterGitlabUsername(), 80) + "`). Request `"
                + approval.request().requestId() + "`.";
    }

    /** A click that decides nothing: only the person who clicked reads why. */
    public static Reply refused(String why) {
        return Reply.refusal(":no_entry: " + why + " Nothing was changed.");
    }

    /** Why a click came too late: decided by someone, or expired. */
    public static String tooLate(Approval approval) {
        return approval.decision()
                .map(by -> "This request was already " + (approval.status() == Approval.Status.APPROVED ? "approved"
                        : "denied") + " by <@" + by.slackUserId() + "> at " + TIME.format(by.at()) + ".")
                .orElse("This request expired at " + time(approval.expiresAt()) + "; <@"
                        + approval.request().userId() + "> can ask again.");
    }

    /** How long an approval waits: in minutes up to two hours, in hours beyond (an access request waits days). */
    static String howLong(Duration left) {
        long minutes = Math.max(1, left.toMinutes());
        if (minutes < 120) {
            return minutes + " minute" + (minutes == 1 ? "" : "s");
        }
        return (minutes + 30) / 60 + " hours";
    }

    /**
     * A time as Slack shows it in each reader's own zone ("today 14:15", "Friday 09:00": an access
     * request waits days), the date and time in UTC where it cannot.
     */
    public static String time(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|" + DAY_TIME.format(at) + ">";
    }

    private static ConfirmationDialogObject dialog(String title, String text, String confirm, String style) {
        return ConfirmationDialogObject.builder().title(plainText(title)).text(markdownText(Text.shorten(text, 300)))
                .confirm(plainText(confirm)).deny(plainText("Cancel")).style(style).build();
    }
}
