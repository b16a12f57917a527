package dev.chatops.testing.aws;

/**
 * Physical ids as the local stack gives them: every resource is named by its logical id in
 * {@code us-east-1} of account {@code 123456789012}; queues live on moto at 127.0.0.1:5000.
 */
final class LocalIds implements Intrinsics.PhysicalIds {
    static final String REGION = "us-east-1";
    static final String ACCOUNT = "123456789012";
    static final Intrinsics.Pseudo PSEUDO = Intrinsics.Pseudo.of(REGION, ACCOUNT, "chatops");

    private final SamTemplate template;

    LocalIds(SamTemplate template) {
        this.template = template;
    }

    static String secretArn(String logicalId) {
        return "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:" + logicalId + "-AbCdEf";
    }

    static String functionArn(String name) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name;
    }

    static String tableArn(String name) {
        return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/" + name;
    }

    static String queueArn(String name) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + name;
    }

    @Override
    public String ref(String logicalId) {
        String type = template.resourceType(logicalId).orElseThrow();
        switch (type) {
            case "AWS::SQS::Queue":
                return "http://127.0.0.1:5000/" + ACCOUNT + "/" + logicalId;
            case "AWS::SecretsManager::Secret":
                return secretArn(logicalId);
            case "AWS::Lambda::Alias": {
                SamTemplate.Alias alias = template.aliases().get(logicalId);
                return functionArn(alias.functionLogicalId()) + ":" + alias.name();
            }
            default:
                return logicalId;
        }
    }

    @Override
    public String attribute(String logicalId, String name) {
        String type = template.resourceType(logicalId).orElseThrow();
        if (!name.equals("Arn") && !(type.equals("AWS::SQS::Queue") && name.equals("QueueName"))) {
            throw new IllegalArgumentException("no local " + logicalId + "." + name);
        }
        switch (type) {
            case "AWS::DynamoDB::Table":
                return tableArn(logicalId);
            case "AWS::Lambda::Function":
                return functionArn(logicalId);
            case "AWS::SQS::Queue":
                return name.equals("Arn") ? queueArn(logicalId) : logicalId;
            case "AWS::IAM::Role":
                return "arn:aws:iam::" + ACCOUNT + ":role/" + logicalId;
            default:
                throw new IllegalArgumentException("no local " + logicalId + "." + name);
        }
    }
}
