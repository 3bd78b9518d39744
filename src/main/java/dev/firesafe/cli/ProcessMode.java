package dev.firesafe.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What a process may start, from its command line. System properties outrank the environment and
 * {@code application.properties}, so a one-shot command stays one-shot even where the environment configures a
 * broker for {@code serve}.
 */
record ProcessMode(boolean serve, Map<String, String> properties) {

    static final String[] CHANNELS = {"incoming.backup-requests", "outgoing.backup-events",
        "outgoing.backup-requests-dead-letter"};

    static ProcessMode of(String... args) {
        Map<String, String> p = new LinkedHashMap<>();
        boolean serve = args.length > 0 && args[0].equals("serve");
        if (serve) {
            p.put("firesafe.triggers.mode", "serve");
            // timers are registered programmatically, and the scheduler starts only for @Scheduled methods
            p.put("quarkus.scheduler.start-mode", "forced");
            // "Listening on: http://HOST:PORT" tells the operator (and tests using port 0) where it is
            p.put("quarkus.log.category.\"io.quarkus\".level", "INFO");
            String dir = functionsDir(args);
            if (dir != null) {
                p.put("firesafe.functions-dir", dir);
            }
        } else {
            p.put("firesafe.triggers.mode", "cli");
            p.put("quarkus.http.host-enabled", "false");
            for (String channel : CHANNELS) {
                p.put("mp.messaging." + channel + ".connector", "smallrye-in-memory");
            }
        }
        return new ProcessMode(serve, p);
    }

    /** {@code serve --functions DIR} or {@code --functions=DIR}; picocli checks the rest of the line. */
    private static String functionsDir(String[] args) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--functions") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--functions=")) {
                return args[i].substring("--functions=".length());
            }
        }
        return null;
    }

    void apply(BiConsumer<String, String> setter) {
        properties.forEach(setter);
    }
}
