package dev.firesafe.cli;

import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a process may start, from its parsed command line. Only {@code serve} may open a port, fire timers or dial
 * a broker; every other command is one-shot. These properties are held before Quarkus starts, in Firesafe's own
 * configuration source ({@link ProcessModeConfigSource}), which outranks every user setting, the environment and
 * {@code application.properties}, so a one-shot command stays one-shot even where the environment configures a
 * broker for {@code serve}. No system property is set.
 */
record ProcessMode(boolean serve, Map<String, String> properties) {

    static final String[] CHANNELS = {"incoming.backup-requests", "outgoing.backup-events",
        "outgoing.backup-requests-dead-letter"};

    /** The mode of a parsed command line; {@code serve --functions DIR} also names the functions folder. */
    static ProcessMode of(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult command = parsed.subcommand();
        boolean serve = command != null && command.commandSpec().name().equals("serve");
        return of(serve, serve ? command.matchedOptionValue("--functions", null) : null);
    }

    /** For a command line that could not be parsed (the configuration did not load): Quarkus will report it. */
    static ProcessMode unparsed(String... args) {
        return of(args.length > 0 && args[0].equals("serve"), null);
    }

    private static ProcessMode of(boolean serve, String functionsDir) {
        Map<String, String> p = new LinkedHashMap<>();
        if (serve) {
            p.put("firesafe.triggers.mode", "serve");
            // timers are registered programmatically, and the scheduler starts only for @Scheduled methods
            p.put("quarkus.scheduler.start-mode", "forced");
            // "Listening on: http://HOST:PORT" tells the operator (and tests using port 0) where it is
            p.put("quarkus.log.category.\"io.quarkus\".level", "INFO");
            if (functionsDir != null) {
                p.put("firesafe.functions-dir", functionsDir);
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

    /** Makes this the mode Quarkus reads ({@link ProcessModeConfigSource}); {@link Main}, before Quarkus starts. */
    void hold() {
        ProcessModeConfigSource.hold(properties);
    }
}
