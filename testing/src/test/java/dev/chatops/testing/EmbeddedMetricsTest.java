package dev.chatops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded metric format's checker accepts a document shaped as the specification's example, nothing broken. */
class EmbeddedMetricsTest {
    private static final String VALID = """
            {"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",
             "Dimensions":[["functionVersion"]],"Metrics":[{"Name":"time","Unit":"Milliseconds",
             "StorageResolution":60}]}]},"functionVersion":"$LATEST","time":100,"requestId":"989ffbf8"}""";

    @Test
    void a_document_shaped_as_the_specifications_example_is_valid_and_found_among_log_lines() throws IOException {
        assertThat(EmbeddedMetrics.violations(JSON.std.mapFrom(VALID))).isEmpty();
        assertThat(EmbeddedMetrics.documentsIn("{\"level\":\"INFO\"}\n" + VALID.replace("\n", "") + "\nplain"))
                .hasSize(1);
    }

    @Test
    void broken_documents_are_refused_with_the_reason() throws IOException {
        assertThat(violations(VALID.replace("\"Timestamp\":1574109732004,", ""))).singleElement().asString()
                .contains("Timestamp");
        assertThat(violations(VALID.replace("\"functionVersion\":\"$LATEST\",", ""))).singleElement().asString()
                .contains("dimension functionVersion");
        assertThat(violations(VALID.replace("\"time\":100", "\"time\":\"100\""))).singleElement().asString()
                .contains("metric time");
        assertThat(violations(VALID.replace("Milliseconds", "Millis"))).singleElement().asString()
                .contains("unit");
        assertThat(violations(VALID.replace("\"StorageResolution\":60", "\"StorageResolution\":5")))
                .singleElement().asString().contains("storage resolution");
        assertThat(violations(VALID.replace("\"Namespace\"", "\"Extra\":1,\"Namespace\""))).singleElement()
                .asString().contains("Extra");
    }

    private static List<String> violations(String json) throws IOException {
        Map<String, Object> document = JSON.std.mapFrom(json);
        return EmbeddedMetrics.violations(document);
    }
}
