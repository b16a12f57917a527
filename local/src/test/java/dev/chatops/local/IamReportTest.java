package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.Template;
import dev.chatops.testing.aws.IamPolicy;
import dev.chatops.testing.aws.SamTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, measured: every (function, action, resource) the local-stack suites of this
 * module made through the AWS front door, held against each role of template.yaml as the SAM
 * transform made it. Every call made was granted; every grant was used by some call, or
 * template.yaml says beside it, in a {@code # not exercised locally: <action> — <why>} comment, why
 * it is needed though no test here can use it. The report is printed and written to
 * {@code local/target/iam-report.txt}. Runs after every other test class of the module.
 */
@Order(Integer.MAX_VALUE)
class IamReportTest {
    private static final Pattern EXPLAINED = Pattern.compile("#\\s*not exercised locally:\\s*(\\S+)\\s+—\\s*(.+)");

    @Test
    void every_call_made_was_granted_and_every_grant_was_used_or_is_explained() throws IOException {
        Path templateFile = Template.projectRoot().resolve("template.yaml").toAbsolutePath();
        List<IamCalls.Call> calls = IamCalls.all().stream()
                .filter(c -> c.template().equals(templateFile.toString()))
                .toList();
        Assumptions.assumeTrue(
                calls.size() > 50,
                "the local-stack suites ran first (mvn verify runs them all in one JVM); alone, there is nothing to"
                        + " report");
        // Resolved with linking configured, as the local stack deploys it: the OAuth secret's grant is conditional.
        LocalAws aws = LocalAws.planned(LocalAws.projectTemplate(), MotoExtension.parameters());
        Set<String> usedGrants = IamCalls.usedGrants(templateFile.toString());
        SamTemplate template = LocalAws.projectTemplate();
        List<String> templateLines = Files.readAllLines(templateFile);
        StringBuilder report = new StringBuilder("IAM report: what the local-stack suites did, against each role\n");
        List<String> denied = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        for (SamTemplate.Function function : template.functions().values()) {
            String id = function.logicalId();
            List<IamCalls.Call> made = calls.stream().filter(c -> c.function().equals(id)).toList();
            report.append("\n").append(id).append(" (role ").append(function.roleLogicalId()).append(")\n");
            made.stream().map(c -> "  " + (c.allowed() ? "call    " : "DENIED  ") + c.action() + " " + c.resource())
                    .sorted().distinct().forEach(line -> report.append(line).append('\n'));
            made.stream()
                    .filter(c -> !c.allowed())
                    .forEach(c -> denied.add(id + " " + c.action() + " " + c.resource()));
            IamPolicy policy = IamPolicy.ofRole(template.role(function.roleLogicalId()), aws.intrinsics());
            Map<String, String> explanations = explanations(templateLines, id);
            List<IamPolicy.Grant> grants = policy.grants();
            for (int i = 0; i < grants.size(); i++) {
                IamPolicy.Grant grant = grants.get(i);
                boolean used = usedGrants.contains(function.roleLogicalId() + "#" + i);
                String why = explanations.entrySet().stream().filter(e -> glob(e.getKey(), grant.action()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                report.append("  ").append(used ? "used    " : why != null ? "needed  " : "UNUSED  ").append("grant ")
                        .append(grant.action()).append(" on ").append(grant.resource())
                        .append(used || why == null ? "" : " — " + why).append('\n');
                if (!used && why == null) {
                    unexplained.add(id + " " + grant.action() + " on " + grant.resource());
                }
            }
        }
        System.out.println(report);
        Path out = Template.projectRoot().resolve("local/target/iam-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);

        assertThat(denied).as("calls the roles of template.yaml do not grant").isEmpty();
        // Linking (LinkFunction, link CODE, unlink) is exercised through the local stack only by the
        // browser test; without Chromium its grants cannot be told used, so that half is skipped.
        Assumptions.assumeTrue(LinkInBrowserTest.browserInstalled(),
                "unused grants not checked: the account-linking browser test needs chromium and chromium-driver");
        assertThat(unexplained).as("grants no test used and template.yaml does not explain").isEmpty();
    }

    /** The {@code # not exercised locally: <action> — <why>} comments inside one function's resource. */
    static Map<String, String> explanations(List<String> lines, String functionId) {
        Map<String, String> found = new LinkedHashMap<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.matches("^  [A-Za-z0-9]+:.*")) {
                inside = line.startsWith("  " + functionId + ":");
            }
            Matcher comment = EXPLAINED.matcher(line);
            if (inside && comment.find()) {
                found.put(comment.group(1), comment.group(2).strip());
            }
        }
        return found;
    }

    private static boolean glob(String pattern, String action) {
        return action.toLowerCase(Locale.ROOT).matches(
                pattern.toLowerCase(Locale.ROOT).replace(".", "\\.").replace("*", ".*").replace("?", "."));
    }
}
