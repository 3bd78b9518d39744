package dev.firesafe.io;

import java.io.IOException;
import java.net.InetAddress;

/** The name this host goes by in manifests and notifications: $HOSTNAME (containers set it), else the resolver's. */
public final class HostName {
    private HostName() {
    }

    public static String current() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
