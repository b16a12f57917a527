package dev.chatops.local;

/** The one region the local stack plays (moto's default). */
final class LocalRegion {
    static final String NAME = dev.chatops.testing.MotoServer.REGION;

    private LocalRegion() {
    }
}
