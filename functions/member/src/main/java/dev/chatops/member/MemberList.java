package dev.chatops.member;

import dev.chatops.shared.Text;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.Member;
import dev.chatops.shared.runtime.Reply;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** {@code member list}: the members of a project or group, inherited ones included, highest role first. */
final class MemberList {
    private MemberList() {
    }

    static Reply list(GitLabClient client, String instance, String path) {
        Optional<String> source = Memberships.source(client, path);
        if (source.isEmpty()) {
            return Memberships.notFound(path, instance);
        }
        List<Member> members = client.members(source.get(), path).stream()
                .sorted(Comparator.comparingInt(Member::accessLevel).reversed().thenComparing(Member::username))
                .toList();
        StringBuilder table = new StringBuilder();
        for (Member member : members) {
            table.append(String.format("%-12s %s%s%n", Role.ofAccessLevel(member.accessLevel()).label(),
                    Text.inCode(member.username(), 60),
                    member.expiresAt().isEmpty() ? "" : " (until " + Text.inCode(member.expiresAt(), 30) + ")"));
        }
        String title = "*" + members.size() + " member" + (members.size() == 1 ? "" : "s") + " of `"
                + Text.inCode(path, 100) + "` on " + instance + "*";
        Reply.Builder reply = Reply.ephemeral(members.size() + " members of " + Text.shown(path, 100)).text(title);
        if (!members.isEmpty()) {
            reply.code(table.toString().stripTrailing());
        }
        return reply.build();
    }
}
