package dev.chatops.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The tables, secrets and queues of template.yaml, created on moto, and what each stands for:
 * {@link #refs()} maps {@code "RequestsTable"} to the table's name, {@code "SigningSecret"} to the
 * secret's ARN, {@code "FailureQueue.Arn"} to the queue's ARN, parameters to their values, and
 * each function to its local name, so that {@link Template#functionEnvironment} resolves.
 */
public final class LocalAws {
    private final Map<String, String> refs;
    private final Map<String, String> queueUrls;

    private LocalAws(Map<String, String> refs, Map<String, String> queueUrls) {
        this.refs = Map.copyOf(refs);
        this.queueUrls = Map.copyOf(queueUrls);
    }

    /**
     * Creates every resource of {@code template} on the endpoint the SDK is configured for.
     *
     * @param parameters template parameter values (secrets' contents among them), over the defaults
     */
    public static LocalAws create(Template template, Map<String, String> parameters) {
        Map<String, String> refs = new LinkedHashMap<>(template.parameterDefaults());
        refs.putAll(parameters);
        refs.put("AWS::Region", MotoServer.REGION);
        Map<String, String> queueUrls = new LinkedHashMap<>();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            template.resources("AWS::DynamoDB::Table").forEach((id, props) -> {
                createTable(dynamo, id, props);
                refs.put(id, id);
            });
            template.resources("AWS::SecretsManager::Secret").forEach((id, props) -> {
                String value = props.containsKey("SecretString") ? template.resolveConditional(props.get("SecretString"), refs)
                        : java.util.HexFormat.of().formatHex(randomBytes(32));
                String arn = secrets.createSecret(b -> b.name(id).secretString(value)).arn();
                refs.put(id, arn);
            });
            template.resources("AWS::SQS::Queue").forEach((id, props) -> {
                String url = sqs.createQueue(b -> b.queueName(id)).queueUrl();
                queueUrls.put(id, url);
                refs.put(id, url);
                refs.put(id + ".Arn", "arn:aws:sqs:" + MotoServer.REGION + ":123456789012:" + id);
            });
        }
        template.resources("AWS::Serverless::Function").keySet().forEach(id -> refs.put(id, id));
        return new LocalAws(refs, queueUrls);
    }

    /**
     * The environment template.yaml gives {@code functionId}, resolved to these resources, with
     * {@code overrides} on top (tests let replies go to loopback with {@code RESPONSE_URL_ALLOW}).
     */
    public Map<String, String> functionEnvironment(String functionId, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(Template.project().functionEnvironment(functionId, refs));
        env.putAll(overrides);
        return env;
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    public Map<String, String> refs() {
        return refs;
    }

    /** What {@code !Ref id} stands for here. */
    public String ref(String id) {
        String value = refs.get(id);
        if (value == null) {
            throw new IllegalArgumentException("no local resource " + id);
        }
        return value;
    }

    /** Queue logical id → its URL. */
    public Map<String, String> queueUrls() {
        return queueUrls;
    }

    public String queueUrl(String id) {
        return queueUrls.get(id);
    }

    @SuppressWarnings("unchecked")
    private static void createTable(DynamoDbClient dynamo, String name, Map<String, Object> props) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (Object a : (List<Object>) props.get("AttributeDefinitions")) {
            Map<String, Object> attribute = Template.map(a);
            attributes.add(AttributeDefinition.builder().attributeName(str(attribute, "AttributeName"))
                    .attributeType(str(attribute, "AttributeType")).build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (Object i : (List<Object>) props.getOrDefault("GlobalSecondaryIndexes", List.of())) {
            Map<String, Object> index = Template.map(i);
            indexes.add(GlobalSecondaryIndex.builder().indexName(str(index, "IndexName"))
                    .keySchema(keySchema(index.get("KeySchema")))
                    .projection(Projection.builder().projectionType(
                            str(Template.map(index.get("Projection")), "ProjectionType")).build())
                    .build());
        }
        dynamo.createTable(b -> {
            b.tableName(name).attributeDefinitions(attributes).keySchema(keySchema(props.get("KeySchema")))
                    .billingMode(BillingMode.PAY_PER_REQUEST);
            if (!indexes.isEmpty()) {
                b.globalSecondaryIndexes(indexes);
            }
        });
        Map<String, Object> ttl = Template.map(props.get("TimeToLiveSpecification"));
        if (Boolean.TRUE.equals(ttl.get("Enabled"))) {
            dynamo.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(
                    t -> t.attributeName(str(ttl, "AttributeName")).enabled(true)));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<KeySchemaElement> keySchema(Object value) {
        List<KeySchemaElement> schema = new ArrayList<>();
        for (Object k : (List<Object>) value) {
            Map<String, Object> key = Template.map(k);
            schema.add(KeySchemaElement.builder().attributeName(str(key, "AttributeName")).keyType(str(key, "KeyType")).build());
        }
        return schema;
    }

    private static String str(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("template.yaml lacks " + key);
        }
        return String.valueOf(value);
    }
}
