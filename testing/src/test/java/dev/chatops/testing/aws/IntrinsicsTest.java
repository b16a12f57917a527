package dev.chatops.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CloudFormation's intrinsic functions over a small transformed template. */
class IntrinsicsTest {
    static final SamTemplate TEMPLATE = SamTemplate.ofCloudFormation("""
        {
          "Parameters": {
            "Name": {"Type": "String", "Default": "books"},
            "Subnets": {"Type": "CommaDelimitedList", "Default": ""},
            "Size": {"Type": "Number", "Default": 5},
            "Secret": {"Type": "String"}
          },
          "Conditions": {
            "IsBooks": {"Fn::Equals": [{"Ref": "Name"}, "books"]},
            "HasSubnets": {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "Subnets"}]}, ""]}]},
            "Both": {"Fn::And": [{"Condition": "IsBooks"}, {"Condition": "HasSubnets"}]},
            "Either": {"Fn::Or": [{"Condition": "IsBooks"}, {"Condition": "HasSubnets"}]},
            "SizeFive": {"Fn::Equals": [{"Ref": "Size"}, 5]}
          },
          "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}
          }
        }\
        """);

    private static Intrinsics intrinsics(Map<String, String> parameters) {
        return new Intrinsics(TEMPLATE, parameters, LocalIds.PSEUDO, new LocalIds(TEMPLATE));
    }

    private static Object json(String text) throws Exception {
        return JSON.std.anyFrom(text);
    }

    @Test
    void ref_givesParametersPseudoParametersAndPhysicalIds() throws Exception {
        Intrinsics in = intrinsics(Map.of());

        assertThat(in.resolveString(json("{\"Ref\": \"Name\"}"))).isEqualTo("books");
        assertThat(in.resolveString(json("{\"Ref\": \"AWS::AccountId\"}"))).isEqualTo("123456789012");
        assertThat(in.resolveString(json("{\"Ref\": \"AWS::StackName\"}"))).isEqualTo("chatops");
        assertThat(in.resolveString(json("{\"Ref\": \"Queue\"}")))
                .isEqualTo("http://127.0.0.1:5000/123456789012/Queue");
        assertThat(in.resolve(json("{\"Ref\": \"Subnets\"}"))).contains(List.of(""));
        assertThat(intrinsics(Map.of("Subnets", "a, b")).resolve(json("{\"Ref\": \"Subnets\"}")))
                .contains(List.of("a", "b"));
    }

    @Test
    void getAtt_takesTheListAndTheDottedForm() throws Exception {
        Intrinsics in = intrinsics(Map.of());

        assertThat(in.resolveString(json("{\"Fn::GetAtt\": [\"Table\", \"Arn\"]}")))
                .isEqualTo(LocalIds.tableArn("Table"));
        assertThat(in.resolveString(json("{\"Fn::GetAtt\": \"Queue.QueueName\"}"))).isEqualTo("Queue");
    }

    @Test
    void sub_replacesRefsAttributesPseudoParametersAndItsOwnVariables_andKeepsEscapedOnes() throws Exception {
        Intrinsics in = intrinsics(Map.of("Name", "films"));

        assertThat(
                        in.resolveString(
                                json(
                                        "{\"Fn::Sub\":"
                                            + " \"arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Name}/${"
                                            + "Table.Arn}/${!Literal}\"}")))
                .isEqualTo("arn:aws:x:us-east-1:123456789012:films/" + LocalIds.tableArn("Table") + "/${Literal}");
        assertThat(in.resolveString(json("{\"Fn::Sub\": [\"${q}-${AWS::URLSuffix}\", {\"q\": {\"Fn::GetAtt\":"
                        + " [\"Queue\", \"QueueName\"]}}]}")))
                .isEqualTo("Queue-amazonaws.com");
    }

    @Test
    void joinSelectAndSplit_workOnLists() throws Exception {
        Intrinsics in = intrinsics(Map.of("Subnets", "s1,s2,s3"));

        assertThat(in.resolveString(json("{\"Fn::Join\": [\"+\", {\"Ref\": \"Subnets\"}]}"))).isEqualTo("s1+s2+s3");
        assertThat(in.resolveString(json("{\"Fn::Select\": [1, {\"Ref\": \"Subnets\"}]}"))).isEqualTo("s2");
        assertThat(in.resolve(json("{\"Fn::Split\": [\"|\", \"a|b||c\"]}"))).contains(List.of("a", "b", "", "c"));
        assertThat(in.resolveString(json(
                        "{\"Fn::Select\": [\"0\", {\"Fn::Split\": [\"/\", {\"Fn::GetAtt\": [\"Table\", \"Arn\"]}]}]}")))
                .isEqualTo("arn:aws:dynamodb:us-east-1:123456789012:table");
    }

    @Test
    void conditions_evaluateEqualsNotAndOrAndNamedConditions() {
        assertThat(intrinsics(Map.of()).condition("IsBooks")).isTrue();
        assertThat(intrinsics(Map.of()).condition("HasSubnets")).isFalse();
        assertThat(intrinsics(Map.of()).condition("Both")).isFalse();
        assertThat(intrinsics(Map.of()).condition("Either")).isTrue();
        assertThat(intrinsics(Map.of("Subnets", "s1")).condition("Both")).isTrue();
        assertThat(intrinsics(Map.of("Name", "films")).condition("Either")).isFalse();
        assertThat(intrinsics(Map.of()).condition("SizeFive")).isTrue();
    }

    @Test
    void noValue_dropsTheKeyOrTheListElement_andIfChoosesByCondition() throws Exception {
        Object value = json("""
            {"A": {"Fn::If": ["HasSubnets", "yes", {"Ref": "AWS::NoValue"}]},
             "B": {"Fn::If": ["IsBooks", "yes", "no"]},
             "C": ["x", {"Ref": "AWS::NoValue"}, "y"]}\
            """);

        assertThat(intrinsics(Map.of()).resolve(value)).contains(Map.of("B", "yes", "C", List.of("x", "y")));
        assertThat(intrinsics(Map.of("Subnets", "s1")).resolve(value))
                .contains(Map.of("A", "yes", "B", "yes", "C", List.of("x", "y")));
        assertThat(intrinsics(Map.of()).resolve(json("{\"Ref\": \"AWS::NoValue\"}"))).isEmpty();
    }

    @Test
    void unresolvableThings_failNamingThem() throws Exception {
        Intrinsics in = intrinsics(Map.of());

        assertThatThrownBy(() -> in.resolve(json("{\"Ref\": \"Missing\"}"))).hasMessageContaining("Missing");
        assertThatThrownBy(() -> in.resolve(json("{\"Fn::GetAtt\": [\"Ghost\", \"Arn\"]}")))
                .hasMessageContaining("Ghost");
        assertThatThrownBy(() -> in.resolve(json("{\"Ref\": \"Secret\"}")))
                .hasMessageContaining("Secret")
                .hasMessageContaining("no value");
        assertThatThrownBy(() -> in.resolve(json("{\"Fn::FindInMap\": [\"M\", \"a\", \"b\"]}")))
                .hasMessageContaining("Fn::FindInMap");
        assertThatThrownBy(() -> in.resolve(json("{\"Ref\": \"AWS::NotificationARNs\"}")))
                .hasMessageContaining("AWS::NotificationARNs");
        assertThatThrownBy(() -> in.condition("Nope")).hasMessageContaining("Nope");
        assertThatThrownBy(() -> intrinsics(Map.of("Undeclared", "x"))).hasMessageContaining("Undeclared");
    }
}
