package dev.chatops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** The moto_server the tests and the local stack run on: memory that does not grow with every transaction. */
class MotoServerTest {
    @Test
    void transactions_leave_no_copies_of_their_tables_behind_in_motos_memory() throws IOException {
        try (MotoServer moto = MotoServer.start();
                DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(URI.create(moto.endpoint()))
                        .region(Region.of(MotoServer.REGION)).httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                        .build()) {
            dynamo.createTable(b -> b.tableName("t").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                    .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
            for (int i = 0; i < 20; i++) {
                String id = "item-" + i;
                dynamo.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                        .put(p -> p.tableName("t").item(Map.of("id", AttributeValue.fromS(id)))).build()));
            }

            assertThat(dynamo.scan(b -> b.tableName("t")).count()).isEqualTo(20);
            // moto's own record of the objects it made: without MotoServer's sitecustomize.py, every
            // transaction's copy of the table adds its items here (1 + 2 + … + 20 of them).
            try (InputStream data = URI.create(moto.endpoint() + "/moto-api/data.json").toURL().openStream()) {
                Map<?, ?> dynamodb = (Map<?, ?>) JSON.std.mapFrom(data).get("dynamodb");
                assertThat((List<?>) dynamodb.get("Item")).isEmpty();
                assertThat((List<?>) dynamodb.get("Table")).isEmpty();
            }
        }
    }
}
