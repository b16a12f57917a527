package dev.chatops.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What a deployer starts from, held against template.yaml: samconfig.toml (the SAM CLI's settings
 * and the non-secret parameters) and deploy/parameters.example.yaml (the rest) give every parameter
 * a place, name only the template's parameters, keep secrets out of samconfig.toml, and hold values
 * CloudFormation accepts.
 */
class DeployConfigurationTest {
    static SamTemplate sam;
    static JsonNode samconfig;
    static Map<String, String> overrides;
    static Map<String, String> example;

    @BeforeAll
    static void read() throws IOException {
        Path root = Template.projectRoot();
        sam = TransformedProject.SAM;
        samconfig = new TomlMapper().readTree(root.resolve("samconfig.toml").toFile());
        overrides = SamParameterOverrides.read(samconfig.at("/default/deploy/parameters/parameter_overrides"));
        example = exampleParameters(root.resolve("deploy/parameters.example.yaml"));
    }

    @Test
    void every_parameter_without_a_default_has_a_place_and_every_name_is_the_templates() {
        Map<String, Map<String, Object>> parameters = sam.parameters();
        Set<String> given = new LinkedHashSet<>(overrides.keySet());
        given.addAll(example.keySet());

        assertThat(parameters.keySet()).containsAll(overrides.keySet()).containsAll(example.keySet());
        parameters.forEach((name, declaration) -> {
            if (!declaration.containsKey("Default")) {
                assertThat(given).as(name + " has no default").contains(name);
            }
        });
    }

    @Test
    void secrets_are_never_in_samconfig_and_the_example_names_each_one_the_guided_deploy_asks_for() {
        sam.parameters().forEach((name, declaration) -> {
            if (Boolean.TRUE.equals(declaration.get("NoEcho"))
                    || "true".equals(String.valueOf(declaration.get("NoEcho")))) {
                assertThat(overrides).as(name + " is NoEcho").doesNotContainKey(name);
                assertThat(example)
                        .as(name + " is asked for by a hidden prompt")
                        .containsKey(name);
            }
        });
    }

    @Test
    void every_value_is_one_cloudformation_accepts() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.putAll(example);
        // The Slack signing secret is the one value the example leaves empty: a deploy that forgets to
        // fill it in must fail, not run with a secret anyone can read in this repository.
        assertThat(violations(
                        "SlackSigningSecret",
                        sam.parameters().get("SlackSigningSecret"),
                        all.remove("SlackSigningSecret")))
                .as("the example's empty signing secret is refused by CloudFormation")
                .isNotEmpty();
        List<String> problems = new ArrayList<>();
        all.forEach((name, value) -> problems.addAll(violations(name, sam.parameters().get(name), value)));

        assertThat(problems).isEmpty();
    }

    @Test
    void json_parameters_are_json_objects_and_there_is_a_token_for_each_instance() throws IOException {
        for (String name : example.keySet()) {
            if (String.valueOf(sam.parameters().get(name).get("Description")).startsWith("JSON")) {
                assertThat(JSON.std.anyFrom(example.get(name))).as(name).isInstanceOf(Map.class);
            }
        }
        Set<String> instances = new LinkedHashSet<>();
        for (String pair : overrides.get("GitLabInstances").split(",")) {
            instances.add(pair.substring(0, pair.indexOf('=')));
        }
        assertThat(JSON.std.mapFrom(example.get("GitLabTokens")).keySet())
                .containsExactlyInAnyOrderElementsOf(instances);
        assertThat(JSON.std.mapFrom(example.get("GitLabReadTokens")).keySet())
                .containsExactlyInAnyOrderElementsOf(instances);
        assertThat(instances).contains(overrides.get("ChatOpsInstance"));
    }

    @Test
    void a_first_deploy_from_these_files_leaves_linking_and_the_flag_log_unconfigured_as_the_docs_say() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.putAll(example);
        Intrinsics intrinsics = new Intrinsics(sam, all, LocalIds.PSEUDO, new LocalIds(sam));

        assertThat(intrinsics.condition("HasGitLabOAuth")).isFalse();
        assertThat(intrinsics.condition("HasFeatureLogWebhook")).isFalse();
        assertThat(intrinsics.condition("HasAwsEndpointUrl")).isFalse();
    }

    @Test
    void samconfig_deploys_a_named_stack_with_the_capability_its_roles_need_asking_before_each_change_set() {
        String stack = samconfig.at("/default/global/parameters/stack_name").asText();
        JsonNode deploy = samconfig.at("/default/deploy/parameters");

        assertThat(samconfig.get("version").asText()).isEqualTo("0.1");
        // CloudFormation's stack names: a letter, then letters, digits and hyphens, at most 128.
        assertThat(stack).matches("[A-Za-z][A-Za-z0-9-]{0,127}");
        // CAPABILITY_IAM covers IAM resources with generated names; a RoleName would need CAPABILITY_NAMED_IAM.
        assertThat(deploy.get("capabilities").asText()).isEqualTo("CAPABILITY_IAM");
        assertThat(sam.resources("AWS::IAM::Role").values())
                .isNotEmpty()
                .allSatisfy(role -> assertThat(role).doesNotContainKey("RoleName"));
        assertThat(deploy.get("confirm_changeset").asBoolean()).isTrue();
        assertThat(deploy.get("resolve_s3").asBoolean()).isTrue();
        // The region is the deployer's: `sam deploy --guided` asks for it and saves it.
        assertThat(samconfig.findValues("region")).isEmpty();
    }

    @Test
    void parameter_overrides_read_as_the_sam_cli_reads_them() {
        assertThat(SamParameterOverrides.parse("A=1 B=\"two words\" C='single quoted' D=\"\" E=x=y,z"))
                .containsExactly(
                        Map.entry("A", "1"),
                        Map.entry("B", "two words"),
                        Map.entry("C", "single quoted"),
                        Map.entry("D", ""),
                        Map.entry("E", "x=y,z"));
        assertThat(SamParameterOverrides.parse("ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=\"x y\""))
                .containsExactly(Map.entry("A", "1"), Map.entry("B", "x y"));
        assertThat(overrides).containsEntry("GitLabOAuthClientId", "")
                .containsEntry("GitLabInstances", "ops=https://ops.gitlab.net,production=https://gitlab.com");
    }

    /** What CloudFormation would refuse about {@code value} for the parameter {@code declaration}. */
    private static List<String> violations(String name, Map<String, Object> declaration, String value) {
        List<String> problems = new ArrayList<>();
        if (declaration == null) {
            return List.of(name + " is no parameter of template.yaml");
        }
        String type = String.valueOf(declaration.get("Type"));
        if (declaration.get("AllowedPattern") != null
                && !Pattern.compile(String.valueOf(declaration.get("AllowedPattern")))
                        .matcher(value)
                        .matches()) {
            problems.add(name + "=" + value + " does not match " + declaration.get("AllowedPattern"));
        }
        if (declaration.get("AllowedValues") instanceof List<?> allowed
                && allowed.stream().map(DeployConfigurationTest::text).noneMatch(value::equals)) {
            problems.add(name + "=" + value + " is not one of " + allowed);
        }
        if (type.equals("String")) {
            if (declaration.get("MinLength") != null
                    && value.length() < Double.parseDouble(text(declaration.get("MinLength")))) {
                problems.add(name + " is shorter than " + declaration.get("MinLength"));
            }
            if (declaration.get("MaxLength") != null
                    && value.length() > Double.parseDouble(text(declaration.get("MaxLength")))) {
                problems.add(name + " is longer than " + declaration.get("MaxLength"));
            }
        }
        if (type.equals("Number")) {
            double number;
            try {
                number = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                problems.add(name + "=" + value + " is not a number");
                return problems;
            }
            if (declaration.get("MinValue") != null && number < Double.parseDouble(text(declaration.get("MinValue")))
                    || declaration.get("MaxValue") != null
                            && number > Double.parseDouble(text(declaration.get("MaxValue")))) {
                problems.add(name + "=" + value + " is outside " + declaration.get("MinValue") + "–"
                        + declaration.get("MaxValue"));
            }
        }
        return problems;
    }

    /** A number of the transformed JSON as CloudFormation compares it (30, not 30.0). */
    private static String text(Object value) {
        return value instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : String.valueOf(value);
    }

    /** The example as `--parameter-overrides file://…` reads a YAML mapping: name → value, each a string. */
    private static Map<String, String> exampleParameters(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<?, ?> yaml = new Yaml().load(reader);
            yaml.forEach((name, value) -> {
                // SAM writes non-strings as Python's str() (True, 1.0): the example keeps every value a string.
                assertThat(value).as(name + " is a YAML string").isInstanceOf(String.class);
                values.put(String.valueOf(name), (String) value);
            });
        }
        return values;
    }

    /**
     * The SAM CLI's reading of {@code parameter_overrides} strings (CfnParameterOverridesType in
     * samcli/cli/types.py, ported regex for regex): {@code Key=Value} pairs separated by spaces, or
     * {@code ParameterKey=K,ParameterValue=V}; a value quoted with {@code "} or {@code '} (backslash
     * escapes inside) or running to the next space; wrapping quotes removed. No Java library reads
     * this format, so it is written here.
     */
    static final class SamParameterOverrides {
        private static final String KEY = "([A-Za-z0-9\"']+)";
        private static final String VALUE = "(\"(?:\\\\.|[^\"\\\\]+)*\"|'(?:\\\\.|[^'\\\\]+)*'|(?:\\\\.|[^ \"\\\\]+)+)";
        private static final List<Pattern> PATTERNS = List.of(
                Pattern.compile("(?:ParameterKey=" + KEY + ",ParameterValue=" + VALUE + ")"),
                Pattern.compile("(?:(?: )" + KEY + "=" + VALUE + ")"));

        static Map<String, String> read(JsonNode node) {
            Map<String, String> values = new LinkedHashMap<>();
            if (node.isArray()) {
                node.forEach(element -> {
                    assertThat(element.isTextual())
                            .as("each parameter_overrides entry is a string: " + element)
                            .isTrue();
                    values.putAll(parse(element.asText()));
                });
            } else if (node.isTextual()) {
                values.putAll(parse(node.asText()));
            }
            return values;
        }

        static Map<String, String> parse(String text) {
            String normalized = " " + text.strip();
            for (Pattern pattern : PATTERNS) {
                Matcher matcher = pattern.matcher(normalized);
                Map<String, String> values = new LinkedHashMap<>();
                while (matcher.find()) {
                    values.put(unquote(matcher.group(1)), unquote(matcher.group(2)));
                }
                if (!values.isEmpty()) {
                    return values;
                }
            }
            throw new AssertionError(text + " is not in a format the SAM CLI reads");
        }

        private static String unquote(String value) {
            String v = value;
            if (!v.isEmpty()
                    && v.charAt(0) == v.charAt(v.length() - 1)
                    && (v.charAt(0) == '"' || v.charAt(0) == '\'')) {
                v = v.substring(1, v.length() - 1);
            }
            return v.replace("\\ ", " ").replace("\\\"", "\"").replace("\\'", "'");
        }
    }
}
