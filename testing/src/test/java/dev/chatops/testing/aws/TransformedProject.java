package dev.chatops.testing.aws;

import java.util.Map;

/** The project's template.yaml through the SAM transform, once for all tests here: the transform takes seconds. */
final class TransformedProject {
    static final SamTemplate SAM = SamTemplate.project(Map.of());

    private TransformedProject() {
    }
}
