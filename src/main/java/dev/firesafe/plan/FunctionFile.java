package dev.firesafe.plan;

import java.util.List;
import java.util.Map;

/**
 * The YAML shape of {@code functions/NAME.yaml}: one plan and the triggers that run it, read by
 * {@link FunctionFileReader}. Unknown keys are errors, so a typo (say {@code exlude:}) stops Firesafe instead of
 * silently backing up too much.
 */
public record FunctionFile(PlanSection plan, List<TriggerSection> triggers, WalSection wal) {

    public FunctionFile(PlanSection plan, List<TriggerSection> triggers) {
        this(plan, triggers, null);
    }

    public record PlanSection(String name, List<SourceSection> sources, List<String> targets, String compression,
                              Retention retention,
                              List<String> before, List<String> after, String fullEvery) {
    }

    /** Exactly one of: {@code path} (with include/exclude), {@code command} (with name, timeout, env), {@code postgres}. */
    public record SourceSection(String path, List<String> include, List<String> exclude, String command, String name,
                                String timeout, Map<String, String> env, PostgresSection postgres,
                                PostgresSection postgresBase) {
    }

    /** {@code mode: all} (pg_dumpall, the default) or a {@code databases} list (pg_dump -Fc each). */
    public record PostgresSection(String host, Integer port, String user,
                                  String passwordFile, String sslmode,
                                  List<String> databases, String mode) {
    }

    /**
     * A trigger: {@code timer} (with {@code every} or {@code cron}), {@code startup} (optional {@code delay},
     * {@code catch-up}), {@code message} or {@code http}. Wired up by the triggers issue; parsed and checked now.
     */
    public record TriggerSection(String type, String every, String cron, String delay,
                                 Boolean catchUp, String channel) {
    }

    /** Continuous WAL archiving of one server ({@link WalSpec}): the connection as a postgres source, then how. */
    public record WalSection(String host, Integer port, String user, String passwordFile, String sslmode,
                             String mode, String slot, String synchronous, String spool, String spoolLimit,
                             String partialEvery, String rpo) {
    }
}
