package dev.chatops.testing;

import dev.chatops.testing.aws.Intrinsics;
import dev.chatops.testing.aws.SamTemplate;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * The template as CloudFormation would deploy it, on moto: template.yaml through AWS's SAM
 * transform ({@link SamTemplate}), its tables, secrets and queues created, and what every
 * resource stands for here ({@link Intrinsics.PhysicalIds}: a table's name and ARN, a secret's ARN,
 * a queue's URL and ARN, a function's name and ARN, its alias's ARN, a role's ARN), so that every
 * value of the template — a function's environment, a role's policies — resolves as in AWS. No
 * second, hand-kept list.
 */
public final class LocalAws {
    public static final String ACCOUNT = "123456789012";
    private static final Map<Path, SamTemplate> TRANSFORMED = new ConcurrentHashMap<>();

    private final SamTemplate template;
    private final Intrinsics intrinsics;
    private final Map<String, String> secretArns;
    private final Map<String, String> queueUrls;
    private final Map<String, String> parameters;

    private LocalAws(SamTemplate template, Map<String, String> parameters, Map<String, String> secretArns,
                     Map<String, String> queueUrls) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
        this.secretArns = Map.copyOf(secretArns);
        this.queueUrls = Map.copyOf(queueUrls);
        this.intrinsics = new Intrinsics(
                template,
                parameters,
                Intrinsics.Pseudo.of(MotoServer.REGION, ACCOUNT, "chatops-local"),
                new PhysicalIds());
    }

    /** The project's template.yaml after AWS's SAM transform (run once per JVM: it takes a Python process). */
    public static SamTemplate projectTemplate() {
        return transformed(Template.projectRoot().resolve("template.yaml"));
    }

    /** {@code templateYaml} after AWS's SAM transform, once per JVM and file. */
    public static SamTemplate transformed(Path templateYaml) {
        return TRANSFORMED.computeIfAbsent(
                templateYaml.toAbsolutePath(), path -> SamTemplate.transform(path, Map.of()));
    }

    /**
     * Creates every table, secret and queue of the project's template on the endpoint the SDK is
     * configured for.
     *
     * @param parameters template parameter values (secrets' contents among them), over the defaults
     */
    public static LocalAws create(Map<String, String> parameters) {
        return create(projectTemplate(), parameters);
    }

    public static LocalAws create(SamTemplate template, Map<String, String> parameters) {
        Map<String, String> secretArns = new LinkedHashMap<>();
        Map<String, String> queueUrls = new LinkedHashMap<>();
        // Secrets' values may refer to parameters only: resolve them before the secrets exist.
        LocalAws early = new LocalAws(template, parameters, Map.of(), Map.of());
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build();
                SecretsManagerClient secrets = SecretsManagerClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build();
                SqsClient sqs = SqsClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build()) {
            template.tables().values().stream().filter(table -> early.creates(table.logicalId()))
                    .forEach(table -> createTable(dynamo, table));
            template.secrets().values().stream()
                    .filter(secret -> early.creates(secret.logicalId()))
                    .forEach(secret -> {
                        String value = secret.secretString()
                                .map(early.intrinsics::resolveString)
                                .orElseGet(() -> HexFormat.of().formatHex(randomBytes(32)));
                        secretArns.put(
                                secret.logicalId(),
                                secrets.createSecret(
                                                b -> b.name(secret.logicalId()).secretString(value))
                                        .arn());
                    });
            template.queues().keySet().stream().filter(early::creates)
                    .forEach(id -> queueUrls.put(id, sqs.createQueue(b -> b.queueName(id)).queueUrl()));
        }
        return new LocalAws(template, parameters, secretArns, queueUrls);
    }

    /**
     * Whether CloudFormation creates the resource with these parameters: it has no Condition, or
     * its Condition holds.
     */
    private boolean creates(String logicalId) {
        return template.resourceCondition(logicalId).map(intrinsics::condition).orElse(true);
    }

    /**
     * What the template's resources would be here, without creating any: for reading the template
     * resolved (a report of its roles) where no moto runs. Secrets get made-up ARN suffixes.
     */
    public static LocalAws planned(SamTemplate template, Map<String, String> parameters) {
        Map<String, String> secretArns = new LinkedHashMap<>();
        Map<String, String> queueUrls = new LinkedHashMap<>();
        LocalAws early = new LocalAws(template, parameters, Map.of(), Map.of());
        template.secrets().keySet().stream().filter(early::creates).forEach(id -> secretArns.put(id,
                "arn:aws:secretsmanager:" + MotoServer.REGION + ":" + ACCOUNT + ":secret:" + id + "-??????"));
        template.queues().keySet().forEach(id -> queueUrls.put(id, "http://127.0.0.1/" + ACCOUNT + "/" + id));
        return new LocalAws(template, parameters, secretArns, queueUrls);
    }

    /**
     * These resources as a stack deployed with {@code changed} parameter values over this one's would
     * see them: for a test of the template configured otherwise, such as linking before the OAuth
     * application is registered. Resources whose Condition no longer holds are left out, so a
     * {@code !Ref} to one fails as it would in CloudFormation.
     */
    public LocalAws withParameters(Map<String, String> changed) {
        Map<String, String> merged = new LinkedHashMap<>(parameters);
        merged.putAll(changed);
        LocalAws early = new LocalAws(template, merged, Map.of(), Map.of());
        Map<String, String> secrets = new LinkedHashMap<>();
        secretArns.forEach((id, arn) -> {
            if (early.creates(id)) {
                secrets.put(id, arn);
            }
        });
        return new LocalAws(template, merged, secrets, queueUrls);
    }

    public SamTemplate template() {
        return template;
    }

    /** Resolves the template's values (environments, policies, destinations) to what they are here. */
    public Intrinsics intrinsics() {
        return intrinsics;
    }

    /**
     * The environment template.yaml gives {@code functionId}, resolved to these resources, with
     * {@code overrides} on top (tests let replies go to loopback with {@code RESPONSE_URL_ALLOW}).
     */
    public Map<String, String> functionEnvironment(String functionId, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(
                intrinsics.resolveStrings(template.function(functionId).environment()));
        env.putAll(overrides);
        return env;
    }

    /** The parameter values this stack was created with (over the template's defaults). */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** What {@code !Ref id} stands for here. */
    public String ref(String id) {
        return new PhysicalIds().ref(id);
    }

    /** A secret's ARN, given its name or ARN, as Secrets Manager resolves a SecretId. */
    public Optional<String> secretArn(String nameOrArn) {
        return secretArns.values().stream().filter(arn -> arn.equals(nameOrArn)).findFirst()
                .or(() -> Optional.ofNullable(secretArns.get(nameOrArn)));
    }

    /**
     * The partition key attribute of a table of the template, given its name or ARN as a request
     * names it, or of one of its global secondary indexes ({@code <table>/index/<name>}).
     */
    public Optional<String> partitionKey(String tableOrIndex) {
        String name = tableOrIndex.startsWith("arn:")
                ? tableOrIndex.substring(tableOrIndex.indexOf(":table/") + ":table/".length())
                : tableOrIndex;
        String[] parts = name.split("/index/", 2);
        SamTemplate.Table table = template.tables().get(parts[0]);
        if (table == null) {
            return Optional.empty();
        }
        List<SamTemplate.NamedType> schema = parts.length == 1 ? table.keySchema()
                : table.globalSecondaryIndexes().stream().filter(i -> i.name().equals(parts[1])).findFirst()
                        .map(SamTemplate.Index::keySchema).orElse(List.of());
        return schema.stream().filter(k -> k.type().equals("HASH")).map(SamTemplate.NamedType::name).findFirst();
    }

    /** Queue logical id → its URL. */
    public Map<String, String> queueUrls() {
        return queueUrls;
    }

    public String queueUrl(String id) {
        return queueUrls.get(id);
    }

    public static String tableArn(String name) {
        return "arn:aws:dynamodb:" + MotoServer.REGION + ":" + ACCOUNT + ":table/" + name;
    }

    public static String functionArn(String name) {
        return "arn:aws:lambda:" + MotoServer.REGION + ":" + ACCOUNT + ":function:" + name;
    }

    /** What each resource of the template is on this machine. */
    private final class PhysicalIds implements Intrinsics.PhysicalIds {
        @Override
        public String ref(String id) {
            String type =
                    template.resourceType(id).orElseThrow(() -> new IllegalArgumentException("no resource " + id));
            return switch (type) {
                case "AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup" -> id;
                case "AWS::SecretsManager::Secret" -> required(secretArns.get(id), id);
                case "AWS::SQS::Queue" -> required(queueUrls.get(id), id);
                case "AWS::Lambda::Alias" -> {
                    SamTemplate.Alias alias = template.aliases().get(id);
                    yield functionArn(alias.functionLogicalId()) + ":" + alias.name();
                }
                case "AWS::Lambda::Version" -> functionArn(template.functionOf(id)) + ":1";
                case "AWS::ApiGatewayV2::Api" -> "local";
                default -> throw new IllegalArgumentException("nothing local stands for " + id + " (" + type + ")");
            };
        }

        @Override
        public String attribute(String id, String name) {
            String type =
                    template.resourceType(id).orElseThrow(() -> new IllegalArgumentException("no resource " + id));
            return switch (type + "." + name) {
                case "AWS::DynamoDB::Table.Arn" -> tableArn(id);
                case "AWS::SQS::Queue.Arn" -> "arn:aws:sqs:" + MotoServer.REGION + ":" + ACCOUNT + ":" + id;
                case "AWS::SQS::Queue.QueueName" -> id;
                case "AWS::SQS::Queue.QueueUrl" -> required(queueUrls.get(id), id);
                case "AWS::Lambda::Function.Arn" -> functionArn(id);
                case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + ACCOUNT + ":role/" + id;
                case "AWS::Logs::LogGroup.Arn" ->
                    "arn:aws:logs:" + MotoServer.REGION + ":" + ACCOUNT + ":log-group:" + id + ":*";
                case "AWS::ApiGatewayV2::Api.ApiEndpoint" -> "http://127.0.0.1";
                default -> throw new IllegalArgumentException("nothing local stands for " + id + "." + name);
            };
        }

        private static String required(String value, String id) {
            if (value == null) {
                throw new IllegalArgumentException("nothing local stands for " + id + " yet");
            }
            return value;
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void createTable(DynamoDbClient dynamo, SamTemplate.Table table) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        table.attributes()
                .forEach(a -> attributes.add(AttributeDefinition.builder()
                        .attributeName(a.name())
                        .attributeType(a.type())
                        .build()));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        table.globalSecondaryIndexes()
                .forEach(index -> indexes.add(GlobalSecondaryIndex.builder()
                        .indexName(index.name())
                        .keySchema(keySchema(index.keySchema()))
                        .projection(Projection.builder()
                                .projectionType(index.projectionType())
                                .build())
                        .build()));
        dynamo.createTable(b -> {
            b.tableName(table.logicalId()).attributeDefinitions(attributes).keySchema(keySchema(table.keySchema()))
                    .billingMode(BillingMode.PAY_PER_REQUEST);
            if (!indexes.isEmpty()) {
                b.globalSecondaryIndexes(indexes);
            }
        });
        table.timeToLiveAttribute().ifPresent(attribute -> dynamo.updateTimeToLive(b -> b.tableName(table.logicalId())
                .timeToLiveSpecification(t -> t.attributeName(attribute).enabled(true))));
    }

    private static List<KeySchemaElement> keySchema(List<SamTemplate.NamedType> keys) {
        List<KeySchemaElement> schema = new ArrayList<>();
        keys.forEach(k -> schema.add(KeySchemaElement.builder().attributeName(k.name()).keyType(k.type()).build()));
        return schema;
    }
}
