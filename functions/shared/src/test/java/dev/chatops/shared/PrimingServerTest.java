package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The loopback server priming sends its samples to: loopback only, canned answers, gone once closed. */
class PrimingServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answers_on_loopback_records_what_it_answered_and_closes_every_connection() throws Exception {
        String url;
        try (PrimingServer server = PrimingServer.start(request -> new PrimingServer.Answer(
                request.target().equals("DynamoDB_20120810.GetItem") ? 200 : 404, "{}"))) {
            url = server.url();
            assertThat(URI.create(url).getHost()).isEqualTo("127.0.0.1");

            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/"))
                    .header("X-Amz-Target", "DynamoDB_20120810.GetItem")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"TableName\":\"t\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{}");
            assertThat(answer.headers().firstValue("Connection")).contains("close");
            assertThat(server.requests()).containsExactly(
                    new PrimingServer.Request("POST", "/", "DynamoDB_20120810.GetItem"));
        }

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }
}
