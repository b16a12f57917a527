package dev.chatops.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.Template;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * slack/manifest.yaml, the Slack app an operator creates, against template.yaml: each URL Slack is
 * told to call is a route the HTTP API has, to the gateway, and an output of the stack names it, so
 * that what the operator pastes in (docs/deploy.md, step 6) is where the manifest's placeholder was.
 */
class SlackManifestTest {
    private static final String PLACEHOLDER =
            "https://REPLACE-WITH-API-ID.execute-api.REPLACE-WITH-REGION.amazonaws.com";

    private static Map<String, Object> manifest;
    private static Template template;

    @BeforeAll
    static void read() throws IOException {
        try (Reader reader = Files.newBufferedReader(Template.projectRoot().resolve("slack/manifest.yaml"))) {
            manifest = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        template = Template.project();
    }

    @Test
    void the_slash_commands_url_is_the_commands_route_of_the_gateway_and_the_SlackCommandsUrl_output() {
        List<?> commands = (List<?>) object(manifest, "features").get("slash_commands");
        assertThat(commands).hasSize(1);
        String url = String.valueOf(((Map<?, ?>) commands.get(0)).get("url"));

        assertThat(url).isEqualTo(PLACEHOLDER + "/slack/commands");
        assertThat(template.httpRoutes()).containsEntry("POST " + URI.create(url).getPath(), "GatewayFunction");
        assertThat(sub("SlackCommandsUrl")).endsWith(".${AWS::URLSuffix}" + URI.create(url).getPath());
    }

    @Test
    void interactivity_is_on_and_its_request_url_is_the_interactions_route_of_the_gateway_and_its_output() {
        Map<String, Object> interactivity = object(object(manifest, "settings"), "interactivity");
        String url = String.valueOf(interactivity.get("request_url"));

        assertThat(interactivity).containsEntry("is_enabled", true);
        assertThat(url).isEqualTo(PLACEHOLDER + "/slack/interactions");
        assertThat(template.httpRoutes()).containsEntry("POST " + URI.create(url).getPath(), "GatewayFunction");
        assertThat(sub("SlackInteractionsUrl")).endsWith(".${AWS::URLSuffix}" + URI.create(url).getPath());
        assertThat(sub("SlackInteractionsUrl"))
                .isEqualTo(sub("SlackCommandsUrl").replace("/slack/commands", "/slack/interactions"));
    }

    /** The {@code !Sub} text of the output {@code name}. */
    private static String sub(String name) {
        Object value = template.outputs().get(name);
        assertThat(value).as("output %s", name).isInstanceOf(Map.class);
        return String.valueOf(((Map<?, ?>) value).get("Fn::Sub"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> parent, String name) {
        assertThat(parent.get(name)).as(name).isInstanceOf(Map.class);
        return (Map<String, Object>) parent.get(name);
    }
}
