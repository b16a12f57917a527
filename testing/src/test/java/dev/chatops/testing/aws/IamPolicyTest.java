package dev.chatops.testing.aws;

import static dev.chatops.testing.aws.IamPolicy.Decision.ALLOW;
import static dev.chatops.testing.aws.IamPolicy.Decision.EXPLICIT_DENY;
import static dev.chatops.testing.aws.IamPolicy.Decision.IMPLICIT_DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy evaluation against the examples of AWS's IAM User Guide. */
class IamPolicyTest {
    private static IamPolicy policy(String json) throws Exception {
        return IamPolicy.of("test", JSON.std.mapFrom(json));
    }

    @Test
    void explicitDeny_beatsAllow_andWhatNothingAllowsIsImplicitlyDenied() throws Exception {
        // "The difference between explicit and implicit denies": AllowGetList and DenyReports
        IamPolicy policy = policy("""
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
              {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]}\
            """);

        assertThat(policy.decide("iam:GetUser", "arn:aws:iam::123456789012:user/Bob")).isEqualTo(ALLOW);
        assertThat(policy.decide("iam:GetOrganizationsAccessReport", "*")).isEqualTo(EXPLICIT_DENY);
        assertThat(policy.decide("iam:GenerateCredentialReport", "*")).isEqualTo(EXPLICIT_DENY);
        assertThat(policy.decide("iam:CreatePolicy", "*")).isEqualTo(IMPLICIT_DENY);
    }

    @Test
    void notAction_allowsEverythingButTheNamedActions() throws Exception {
        // "IAM JSON policy elements: NotAction": all S3 actions except deleting a bucket
        IamPolicy policy = policy("""
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "s3:DeleteBucket",\
             "Resource": "arn:aws:s3:::*"}}\
            """);

        assertThat(policy.decide("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/photo.jpg")).isEqualTo(ALLOW);
        assertThat(policy.decide("s3:DeleteBucket", "arn:aws:s3:::amzn-s3-demo-bucket")).isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Books"))
                .isEqualTo(IMPLICIT_DENY);
    }

    @Test
    void notResource_deniesEverywhereButTheNamedResource() throws Exception {
        IamPolicy policy = policy("""
            {"Statement": [
              {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
              {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll",\
             "arn:aws:s3:::HRBucket/Payroll/*"]}]}\
            """);

        assertThat(policy.decide("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/2024.csv")).isEqualTo(ALLOW);
        assertThat(policy.decide("s3:GetObject", "arn:aws:s3:::HRBucket/Other")).isEqualTo(EXPLICIT_DENY);
    }

    @Test
    void actions_matchWithoutRegardToCase() throws Exception {
        // "IAM JSON policy elements: Action": iam:ListAccessKeys is the same as IAM:listaccesskeys
        IamPolicy policy = policy("""
            {"Statement": [{"Effect": "Allow", "Action": "IAM:listaccesskeys", "Resource": "*"},
                           {"Effect": "Allow", "Action": "DynamoDB:get*", "Resource": "*"}]}\
            """);

        assertThat(policy.allows("iam:ListAccessKeys", "*")).isTrue();
        assertThat(policy.allows("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Books")).isTrue();
        assertThat(policy.allows("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Books")).isFalse();
    }

    @Test
    void resources_matchCaseSensitively() throws Exception {
        // "IAM JSON policy elements: Resource": the IAM user name is case sensitive
        IamPolicy policy = policy("""
            {"Statement": [{"Effect": "Allow", "Action": "iam:GetUser",\
             "Resource": "arn:aws:iam::123456789012:user/Bob"}]}\
            """);

        assertThat(policy.allows("iam:GetUser", "arn:aws:iam::123456789012:user/Bob")).isTrue();
        assertThat(policy.allows("iam:GetUser", "arn:aws:iam::123456789012:user/bob")).isFalse();
    }

    @Test
    void resourceWildcards_spanSlashes_andAStarEndingItsSegmentSpansColons() throws Exception {
        // "IAM JSON policy elements: Resource", using wildcards in resource ARNs
        IamPolicy policy = policy("""
            {"Statement": [
              {"Effect": "Allow", "Action": "s3:GetObject",\
             "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::example?bucket/*"]},
              {"Effect": "Allow", "Action": "lambda:InvokeFunction",\
             "Resource": "arn:aws:lambda:*:123456789012:function:Reader*"},
              {"Effect": "Allow", "Action": "dynamodb:Query",\
             "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Books*Index"}]}\
            """);

        assertThat(policy.allows("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg")).isTrue();
        assertThat(policy.allows("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket//test/object.jpg")).isTrue();
        assertThat(policy.allows("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/1-test/object.jpg")).isFalse();
        assertThat(policy.allows("s3:GetObject", "arn:aws:s3:::example2bucket/a")).isTrue();
        assertThat(policy.allows("s3:GetObject", "arn:aws:s3:::example22bucket/a")).isFalse();
        assertThat(policy.allows("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:Reader:live"))
                .isTrue();
        assertThat(policy.allows("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:Writer"))
                .isFalse();
        assertThat(policy.allows("dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByIndex"))
                .isTrue();
        assertThat(policy.allows(
                        "dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Books:x/index/ByIndex"))
                .isFalse();
    }

    @Test
    void unevaluatedConditionsPrincipalsAndPolicyVariables_areRefused_ratherThanIgnored() {
        assertThatThrownBy(() -> policy("""
            {"Statement": [{"Sid": "OnlyWithMfa", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
              "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}\
            """))
                .hasMessageContaining("OnlyWithMfa")
                .hasMessageContaining("condition operator Bool");
        assertThatThrownBy(() -> policy("""
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}\
            """)).hasMessageContaining("Principal");
        assertThatThrownBy(() -> policy("""
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}]}\
            """)).hasMessageContaining("policy" + " variable");
        assertThatThrownBy(() -> policy("""
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"}]}\
            """))
                .hasMessageContaining("exactly" + " one of" + " Action" + " and NotAction");
    }

    @Test
    void managedPolicies_areEvaluatedFromTheirPublishedDocuments_andUnknownOnesFail() {
        IamPolicy policy =
                IamPolicy.of(Map.of(), List.of("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"));

        assertThat(policy.allows("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:Q")).isTrue();
        assertThat(policy.allows("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:Q")).isFalse();
        assertThat(policy.grants()).isEmpty();
        assertThatThrownBy(() -> IamPolicy.of(Map.of(), List.of("arn:aws:iam::aws:policy/AdministratorAccess")))
                .hasMessageContaining("AdministratorAccess");
    }

    @Test
    void grants_coverTheCallsTheirPatternsMatch() throws Exception {
        IamPolicy policy = policy("""
            {"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
              "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/Books",\
             "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/*"]}]}\
            """);

        assertThat(policy.grants()).hasSize(4).allSatisfy(grant -> assertThat(grant.sid()).isEqualTo("Read"));
        assertThat(policy.grants())
                .filteredOn(grant -> grant.covers(
                        "dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor"))
                .singleElement()
                .extracting(IamPolicy.Grant::resource)
                .isEqualTo("arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/*");
    }

    private static final String TABLE = "arn:aws:dynamodb:us-west-2:123456789012:table/GameScores";

    private static Map<String, List<String>> context(String leadingKey, List<String> attributes, String returnValues) {
        Map<String, List<String>> context = new HashMap<>();
        context.put("dynamodb:LeadingKeys", List.of(leadingKey));
        context.put("dynamodb:Attributes", attributes);
        if (returnValues != null) {
            context.put("dynamodb:ReturnValues", List.of(returnValues));
        }
        return context;
    }

    @Test
    void leadingKeys_limitARoleToItsOwnItems() throws Exception {
        // DynamoDB developer guide, fine-grained access control, example 1 (a fixed user id for the variable)
        IamPolicy policy = policy("""
            {"Version": "2012-10-17", "Statement": [{"Sid": "FullAccessToUserItems", "Effect": "Allow",
              "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
              "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/GameScores",
              "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["user#42", "state#*"]}}}]}\
            """);

        assertThat(policy.decide("dynamodb:PutItem", TABLE, context("user#42", List.of("UserId"), "NONE")))
                .isEqualTo(ALLOW);
        assertThat(policy.decide("dynamodb:PutItem", TABLE, context("state#abc", List.of("UserId"), "NONE")))
                .isEqualTo(ALLOW);
        assertThat(policy.decide("dynamodb:PutItem", TABLE, context("user#43", List.of("UserId"), "NONE")))
                .isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:PutItem", TABLE, context("State#abc", List.of("UserId"), "NONE")))
                .as("StringLike is case-sensitive").isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide(
                        "dynamodb:GetItem", TABLE, Map.of("dynamodb:LeadingKeys", List.of("user#42", "user#43"))))
                .as("ForAllValues: every key must match")
                .isEqualTo(IMPLICIT_DENY);
        // IAM User Guide, multivalued context keys: ForAllValues holds when the key is absent
        assertThat(policy.decide("dynamodb:GetItem", TABLE)).isEqualTo(ALLOW);
    }

    @Test
    void attributes_andReturnValues_limitAnUpdateToTheNamedAttributes() throws Exception {
        // DynamoDB developer guide, fine-grained access control, example 2 (write-only variant)
        IamPolicy policy = policy("""
            {"Version": "2012-10-17", "Statement": [{"Sid": "LimitAccessToSpecificAttributes", "Effect": "Allow",
              "Action": ["dynamodb:UpdateItem"],\
             "Resource": ["arn:aws:dynamodb:us-west-2:123456789012:table/GameScores"],
              "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["UserId", "TopScore"]},
                            "StringEquals": {"dynamodb:ReturnValues": ["NONE", "UPDATED_OLD", "UPDATED_NEW"]}}}]}\
            """);

        assertThat(policy.decide("dynamodb:UpdateItem", TABLE, context("u", List.of("TopScore", "UserId"), "NONE")))
                .isEqualTo(ALLOW);
        assertThat(policy.decide(
                        "dynamodb:UpdateItem", TABLE, context("u", List.of("TopScore", "UserId", "Wins"), "NONE")))
                .isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:UpdateItem", TABLE, context("u", List.of("TopScore", "UserId"), "ALL_OLD")))
                .isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:UpdateItem", TABLE, Map.of("dynamodb:Attributes", List.of("UserId"))))
                .as("StringEquals on an absent key is false").isEqualTo(IMPLICIT_DENY);
    }

    @Test
    void ifExists_andNegatedOperators_onAnAbsentKey_hold() throws Exception {
        IamPolicy policy = policy("""
            {"Statement": [{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*",
              "Condition": {"StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
                            "ForAnyValue:StringNotLike": {"dynamodb:Attributes": ["secret*"]}}}]}\
            """);

        assertThat(policy.decide("dynamodb:Query", TABLE, Map.of("dynamodb:Attributes", List.of("a"))))
                .isEqualTo(ALLOW);
        assertThat(policy.decide("dynamodb:Query", TABLE, Map.of("dynamodb:Attributes", List.of("a"),
                "dynamodb:Select", List.of("ALL_ATTRIBUTES")))).isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:Query", TABLE, Map.of("dynamodb:Attributes", List.of("secretA"))))
                .isEqualTo(IMPLICIT_DENY);
        assertThat(policy.decide("dynamodb:Query", TABLE, Map.of()))
                .as("ForAnyValue on an absent key is false")
                .isEqualTo(IMPLICIT_DENY);
    }

    @Test
    void conditionsTheLocalStackCannotTell_areRefused_ratherThanIgnored() {
        assertThatThrownBy(() -> policy("""
            {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
              "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}}\
            """))
                .hasMessageContaining("IpAddress")
                .hasMessageContaining("laxer" + " than" + " AWS");
        assertThatThrownBy(() -> policy("""
            {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}}\
            """)).hasMessageContaining("aws:PrincipalTag/team");
        assertThatThrownBy(() -> policy("""
            {"Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
              "Condition": {"StringLike": {"dynamodb:LeadingKeys": "user#*"}}}}\
            """)).hasMessageContaining("ForAllValues");
    }
}
