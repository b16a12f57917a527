package dev.chatops.testing;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where the project is ({@link #projectRoot()}), and template.yaml as written, before AWS's SAM
 * transform: only for tests that check the transform keeps what the template declares. Everything
 * that runs the template — the local stack, the tests' moto resources — reads it as CloudFormation
 * deploys it, through {@link dev.chatops.testing.aws.SamTemplate}. CloudFormation's short tags
 * ({@code !Ref X}, {@code !GetAtt X.Arn}) are read as their long forms.
 */
public final class Template {
    private final Map<String, Object> root;

    private Template(Map<String, Object> root) {
        this.root = root;
    }

    /** The project's template.yaml, found from the working directory upwards. */
    public static Template project() {
        return load(projectRoot().resolve("template.yaml"));
    }

    public static Path projectRoot() {
        String configured = System.getProperty("chatops.root");
        if (configured != null) {
            return Paths.get(configured).toAbsolutePath();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("template.yaml")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("template.yaml not found above " + Paths.get("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    public static Template load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Yaml yaml = new Yaml(new CloudFormationConstructor());
            return new Template((Map<String, Object>) yaml.load(reader));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Logical id → resource properties, for every resource of {@code type}, in template order. */
    public Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, value) -> {
            Map<String, Object> resource = map(value);
            if (type.equals(resource.get("Type"))) {
                found.put(id, map(resource.getOrDefault("Properties", Map.of())));
            }
        });
        return found;
    }

    /** The names of the variables a function gets, Globals' and its own. */
    public Set<String> environmentNames(String functionId) {
        return declaredEnvironment(functionId).keySet();
    }

    private Map<String, Object> declaredEnvironment(String functionId) {
        Map<String, Object> declared = new LinkedHashMap<>();
        Map<String, Object> globals =
                map(map(map(root.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of()))
                        .getOrDefault("Environment", Map.of()));
        declared.putAll(map(globals.getOrDefault("Variables", Map.of())));
        Map<String, Object> function = resources("AWS::Serverless::Function").get(functionId);
        if (function == null) {
            throw new IllegalArgumentException("no function " + functionId + " in template.yaml");
        }
        declared.putAll(map(map(function.getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of())));
        return declared;
    }

    /** {@code "POST /slack/commands"} → the function its HttpApi event routes to. */
    public Map<String, String> httpRoutes() {
        Map<String, String> routes = new LinkedHashMap<>();
        resources("AWS::Serverless::Function").forEach((id, props) ->
                map(props.getOrDefault("Events", Map.of())).values().forEach(e -> {
                    Map<String, Object> event = map(e);
                    if ("HttpApi".equals(event.get("Type"))) {
                        Map<String, Object> p = map(event.get("Properties"));
                        routes.put(String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT) + " " + p.get("Path"), id);
                    }
                }));
        return routes;
    }

    /** Output name → its {@code Value}, as written ({@code !Sub …} read as {@code {Fn::Sub: …}}). */
    public Map<String, Object> outputs() {
        Map<String, Object> outputs = new LinkedHashMap<>();
        map(root.get("Outputs")).forEach((name, output) -> outputs.put(name, map(output).get("Value")));
        return outputs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Reads {@code !Tag value} as {@code {Fn::Tag: value}}, {@code !Ref} as {@code {Ref: …}}. */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    if (tag.equals("Ref")) {
                        return Map.of("Ref", value);
                    }
                    if (tag.equals("GetAtt") && value instanceof String dotted) {
                        int dot = dotted.indexOf('.');
                        return Map.of("Fn::GetAtt", List.of(dotted.substring(0, dot), dotted.substring(dot + 1)));
                    }
                    return Map.of("Fn::" + tag, value);
                }
            });
        }
    }
}
