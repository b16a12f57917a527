package dev.chatops.local;

import dev.chatops.testing.MotoServer;

/** The one region the local stack plays (moto's default). */
final class LocalRegion {
    static final String NAME = MotoServer.REGION;

    private LocalRegion() {
    }
}
