package dev.chatops.testing.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The identity-based policies of one role, evaluated as IAM does for a request in the role's own
 * account (IAM User Guide, "Policy evaluation logic"): an explicit {@code Deny} wins, then an
 * {@code Allow}, else the request is implicitly denied. Actions match case-insensitively, resource
 * ARNs case-sensitively; {@code *} and {@code ?} are wildcards in both, within an ARN segment
 * (a {@code *} spans {@code /}, and {@code :} too where it ends its segment) as the IAM User Guide
 * says ("IAM JSON policy elements: Action" and "Resource").
 * A {@code Condition} is evaluated against the request's context keys ({@link Conditions}); one on a
 * key the local stack does not put in a request's context, a {@code Principal} or a policy variable
 * is refused when the policy is read: a local stack that ignored them would be laxer than AWS.
 */
public final class IamPolicy {
    /** The outcome for one (action, resource). */
    public enum Decision {
        ALLOW, EXPLICIT_DENY, IMPLICIT_DENY;

        public boolean allowed() {
            return this == ALLOW;
        }
    }

    /** One statement, with the policy it came from ({@code managed}: an AWS-managed policy's ARN). */
    public record Statement(String policyName, boolean managed, String sid, boolean allow, List<String> actions,
            boolean notAction, List<String> resources, boolean notResource, Conditions conditions) {
        /**
         * Whether the statement speaks about this action on this resource, its conditions holding
         * for {@code context}.
         */
        public boolean matches(String action, String resource, Map<String, List<String>> context) {
            boolean actionListed = actions.stream().anyMatch(pattern -> actionMatches(pattern, action));
            boolean resourceListed = resources.stream().anyMatch(pattern -> resourceMatches(pattern, resource));
            return actionListed != notAction && resourceListed != notResource && conditions.hold(context);
        }
    }

    /**
     * One thing a role's own policy allows: a statement's Sid (empty when it has none), one of its
     * action patterns and one of its resource patterns, for a least-privilege report.
     */
    public record Grant(String policyName, String sid, String action, String resource) {
        /** Whether a recorded call of {@code action} on {@code resource} used this grant. */
        public boolean covers(String action, String resource) {
            return actionMatches(this.action, action) && resourceMatches(this.resource, resource);
        }
    }

    private final List<Statement> statements;

    private IamPolicy(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    /** One resolved policy document (its {@code Statement} an object or a list). */
    public static IamPolicy of(String policyName, Map<String, Object> document) {
        return new IamPolicy(statements(policyName, false, document));
    }

    /**
     * A role's policies: its inline documents, resolved, by policy name, and the ARNs of the
     * AWS-managed policies attached to it ({@link AwsManagedPolicies}).
     */
    public static IamPolicy of(Map<String, Map<String, Object>> inlineDocuments, List<String> managedPolicyArns) {
        List<Statement> statements = new ArrayList<>();
        inlineDocuments.forEach((name, document) -> statements.addAll(statements(name, false, document)));
        for (String arn : managedPolicyArns) {
            statements.addAll(statements(arn, true, AwsManagedPolicies.document(arn)));
        }
        return new IamPolicy(statements);
    }

    /** A role of a transformed template, its policies resolved with {@code intrinsics}. */
    public static IamPolicy ofRole(SamTemplate.Role role, Intrinsics intrinsics) {
        Map<String, Map<String, Object>> inline = new LinkedHashMap<>();
        for (SamTemplate.InlinePolicy policy : role.policies()) {
            inline.put(
                    policy.name(),
                    SamTemplate.map(intrinsics
                            .resolve(policy.document())
                            .orElseThrow(() -> new IllegalArgumentException("policy " + policy.name() + " of "
                                    + role.logicalId() + " resolves to no document"))));
        }
        List<String> managed = new ArrayList<>();
        for (Object arn : role.managedPolicyArns()) {
            intrinsics.resolve(arn).map(String::valueOf).ifPresent(managed::add);
        }
        return of(inline, managed);
    }

    /** Explicit deny, else allow, else implicit deny, for a request whose context has no condition keys. */
    public Decision decide(String action, String resource) {
        return decide(action, resource, Map.of());
    }

    /**
     * Explicit deny, else allow, else implicit deny, for a request with these context keys (a key
     * absent from {@code context} is absent from the request, as IAM reads it).
     */
    public Decision decide(String action, String resource, Map<String, List<String>> context) {
        boolean allowed = false;
        for (Statement statement : statements) {
            if (statement.matches(action, resource, context)) {
                if (!statement.allow()) {
                    return Decision.EXPLICIT_DENY;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    public boolean allows(String action, String resource) {
        return decide(action, resource).allowed();
    }

    public List<Statement> statements() {
        return statements;
    }

    /**
     * Every (Sid, action pattern, resource pattern) the role's own (inline) Allow statements grant;
     * AWS-managed policies are not the template's to narrow and are left out.
     *
     * @throws IllegalStateException for an own Allow statement with NotAction or NotResource, which
     * no pair of patterns describes
     */
    public List<Grant> grants() {
        List<Grant> grants = new ArrayList<>();
        for (Statement statement : statements) {
            if (statement.managed() || !statement.allow()) {
                continue;
            }
            if (statement.notAction() || statement.notResource()) {
                throw new IllegalStateException("statement " + describe(statement.policyName(), statement.sid())
                        + " allows by NotAction/NotResource; a least-privilege report cannot list it as grants");
            }
            for (String action : statement.actions()) {
                for (String resource : statement.resources()) {
                    grants.add(new Grant(statement.policyName(), statement.sid(), action, resource));
                }
            }
        }
        return grants;
    }

    private static List<Statement> statements(String policyName, boolean managed, Map<String, Object> document) {
        Object raw = document.get("Statement");
        List<Object> list =
                raw instanceof List<?> ? SamTemplate.list(raw) : raw instanceof Map<?, ?> ? List.of(raw) : null;
        if (list == null) {
            throw new IllegalArgumentException("policy " + policyName + " has no Statement: " + document);
        }
        List<Statement> statements = new ArrayList<>();
        for (Object element : list) {
            statements.add(statement(policyName, managed, SamTemplate.map(element)));
        }
        return statements;
    }

    private static Statement statement(String policyName, boolean managed, Map<String, Object> s) {
        String sid = s.get("Sid") == null ? "" : String.valueOf(s.get("Sid"));
        String where = describe(policyName, sid);
        for (String unsupported : List.of("Principal", "NotPrincipal")) {
            if (s.containsKey(unsupported)) {
                throw new IllegalArgumentException("statement " + where + " has a " + unsupported
                        + ", which the local stack does not evaluate; it would be laxer than AWS");
            }
        }
        Object effect = s.get("Effect");
        if (!"Allow".equals(effect) && !"Deny".equals(effect)) {
            throw new IllegalArgumentException("statement " + where + " has Effect " + effect + ", not Allow or Deny");
        }
        boolean notAction = exactlyOne(s, "Action", "NotAction", where);
        boolean notResource = exactlyOne(s, "Resource", "NotResource", where);
        List<String> resources = strings(s.get(notResource ? "NotResource" : "Resource"), where);
        resources.stream().filter(r -> r.contains("${")).findFirst().ifPresent(r -> {
            throw new IllegalArgumentException("statement " + where + " uses the policy variable in " + r
                    + ", which the local stack does not evaluate");
        });
        return new Statement(policyName, managed, sid, "Allow".equals(effect),
                strings(s.get(notAction ? "NotAction" : "Action"), where), notAction, resources, notResource,
                Conditions.of(s.get("Condition"), where));
    }

    /** True when the statement uses {@code not}, false when {@code key}; fails unless exactly one is there. */
    private static boolean exactlyOne(Map<String, Object> s, String key, String not, String where) {
        if (s.containsKey(key) == s.containsKey(not)) {
            throw new IllegalArgumentException("statement " + where + " needs exactly one of " + key + " and " + not);
        }
        return s.containsKey(not);
    }

    private static List<String> strings(Object value, String where) {
        List<String> strings = new ArrayList<>();
        for (Object element : value instanceof List<?> ? SamTemplate.list(value) : List.of(value)) {
            if (!(element instanceof String text)) {
                throw new IllegalArgumentException(
                        "statement " + where + " has an unresolved or non-string value " + element);
            }
            strings.add(text);
        }
        return List.copyOf(strings);
    }

    private static String describe(String policyName, String sid) {
        return sid.isEmpty() ? "of " + policyName : sid + " of " + policyName;
    }

    static boolean actionMatches(String pattern, String action) {
        return glob(pattern, true).matcher(action).matches();
    }

    static boolean resourceMatches(String pattern, String resource) {
        return glob(pattern, false).matcher(resource).matches();
    }

    /**
     * {@code *} any run of characters, {@code ?} any one. In a resource ARN they stay inside their
     * colon-separated segment (spanning {@code /}), except a {@code *} that ends its segment, which
     * "can expand to match beyond the colon boundaries" (IAM User Guide, "IAM JSON policy elements:
     * Resource", using wildcards in resource ARNs): {@code function:Name*} matches {@code function:Name:live}.
     */
    private static Pattern glob(String pattern, boolean action) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '*' && c != '?') {
                literal.append(c);
                continue;
            }
            if (literal.length() > 0) {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
            }
            boolean endsSegment = i + 1 == pattern.length() || pattern.charAt(i + 1) == ':';
            if (c == '*') {
                regex.append(action || endsSegment ? ".*" : "[^:]*");
            } else {
                regex.append(action ? "." : "[^:]");
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL | (action ? Pattern.CASE_INSENSITIVE : 0));
    }
}
