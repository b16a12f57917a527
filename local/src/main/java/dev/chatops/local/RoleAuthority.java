package dev.chatops.local;

import dev.chatops.local.AwsFrontDoor.Answer;
import dev.chatops.local.AwsFrontDoor.Request;
import dev.chatops.local.ContainerCredentials.Identity;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.aws.AwsDenials;
import dev.chatops.testing.aws.AwsRequestAuthorization;
import dev.chatops.testing.aws.IamPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * IAM as the local stack plays it: a request is mapped to the (action, resource) checks AWS makes
 * for it ({@link AwsRequestAuthorization}, with AWS's documented mapping), and each check is
 * decided by the caller's execution role as the SAM transform made it ({@link IamPolicy}); the
 * first denied check gets AWS's denial, and a request whose checks cannot be told is denied too.
 * Every decision is recorded in {@link IamCalls}, for the least-privilege report.
 */
final class RoleAuthority implements AwsFrontDoor.Authority {
    private final LocalAws aws;
    private final String template;
    private final AwsRequestAuthorization mapping;
    private final Map<String, IamPolicy> policies = new ConcurrentHashMap<>();

    /** @param template which template the roles come from, as the IAM report names it */
    RoleAuthority(LocalAws aws, String template) {
        this.aws = aws;
        this.template = template;
        this.mapping = new AwsRequestAuthorization(LocalAws.ACCOUNT, aws::secretArn, aws::partitionKey);
    }

    @Override
    public Optional<Answer> check(Identity identity, String service, Request request) {
        String uri = request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
        AwsRequestAuthorization.Result asked = mapping.map(new AwsRequestAuthorization.Request(request.method(), uri,
                request.headers(), request.body()));
        String principal = AwsDenials.assumedRoleArn(LocalAws.ACCOUNT, identity.role(), identity.functionId());
        if (asked.mapped() && asked.checks().isEmpty()) {
            // Nothing to check is nothing granted: a request AWS would authorise somehow is refused here.
            asked = new AwsRequestAuthorization.Result(
                    asked.signingService(),
                    asked.region(),
                    asked.accessKeyId(),
                    asked.protocol(),
                    asked.operation(),
                    List.of(),
                    Optional.of("no IAM check could be told for " + asked.operation()));
        }
        if (!asked.mapped()) {
            IamCalls.record(
                    template, identity.functionId(), identity.role(), service + ":" + asked.operation(), "?", false);
            return Optional.of(answer(AwsDenials.unmapped(asked, principal)));
        }
        IamPolicy policy = policies.computeIfAbsent(identity.role(),
                role -> IamPolicy.ofRole(aws.template().role(role), aws.intrinsics()));
        for (AwsRequestAuthorization.Check check : asked.checks()) {
            IamPolicy.Decision decision = policy.decide(check.action(), check.resource(), check.context());
            IamCalls.record(
                    template,
                    identity.functionId(),
                    identity.role(),
                    check.action(),
                    check.resource(),
                    decision.allowed());
            if (!decision.allowed()) {
                return Optional.of(answer(AwsDenials.denial(asked, principal, check, decision)));
            }
            List<IamPolicy.Grant> grants = policy.grants();
            for (int i = 0; i < grants.size(); i++) {
                if (grants.get(i).covers(check.action(), check.resource())) {
                    IamCalls.grantUsed(template, identity.role(), i);
                }
            }
        }
        return Optional.empty();
    }

    private static Answer answer(AwsDenials.Response response) {
        return new Answer(response.status(), response.headers(), response.body());
    }
}
