package dev.chatops.testing.aws;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS-managed policies the SAM transform attaches to this project's roles, with the documents
 * AWS publishes for them (default versions, from the AWS Managed Policy Reference Guide,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/&lt;name&gt;.html). A policy not
 * kept here fails loudly: add its document from that page rather than guessing.
 */
public final class AwsManagedPolicies {
    private static final Pattern ARN = Pattern.compile("arn:[a-z-]+:iam::aws:policy/(.+)");

    /** Path after {@code policy/} → the policy document. */
    private static final Map<String, String> DOCUMENTS = Map.of(
            // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXrayWriteOnlyAccess.html (v2): what
            // SAM attaches to a function's role for Tracing: Active.
            "AWSXrayWriteOnlyAccess", """
            { "Version" : "2012-10-17", "Statement" : [ { "Effect" : "Allow",
              "Action" : [ "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries" ],
              "Resource" : [ "*" ] } ] }\
            """,
            // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html (v1)
            "service-role/AWSLambdaBasicExecutionRole", """
            { "Version" : "2012-10-17", "Statement" : [ { "Effect" : "Allow",
              "Action" : [ "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents" ],
              "Resource" : "*" } ] }\
            """,
            // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html (v3)
            "service-role/AWSLambdaVPCAccessExecutionRole", """
            { "Version" : "2012-10-17", "Statement" : [ { "Sid" : "AWSLambdaVPCAccessExecutionPermissions",
              "Effect" : "Allow",
              "Action" : [ "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses" ],
              "Resource" : "*" } ] }\
            """,
            // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaSQSQueueExecutionRole.html (v1);
            // the Lambda developer guide, "AWS managed policies for AWS Lambda", describes it as reading
            // messages from SQS and writing to CloudWatch Logs.
            "service-role/AWSLambdaSQSQueueExecutionRole", """
            { "Version" : "2012-10-17", "Statement" : [ { "Effect" : "Allow",
              "Action" : [ "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents" ],
              "Resource" : "*" } ] }\
            """);

    private AwsManagedPolicies() {
    }

    /** The document of an AWS-managed policy, by ARN; fails for one this class does not keep. */
    public static Map<String, Object> document(String arn) {
        Matcher matcher = ARN.matcher(arn);
        String json = matcher.matches() ? DOCUMENTS.get(matcher.group(1)) : null;
        if (json == null) {
            throw new IllegalArgumentException(
                    "the local stack does not know the managed policy " + arn + "; add its document to "
                            + AwsManagedPolicies.class.getName() + " from AWS's managed policy reference");
        }
        try {
            return JSON.std.mapFrom(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
