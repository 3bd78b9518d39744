package dev.firesafe.plan;

import dev.firesafe.archive.Compression;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one backup run does: read these sources (folders, command outputs, PostgreSQL dumps), compress so, write
 * to these targets, keep so many, with these hooks around it. {@code fullEvery}: the longest time between
 * self-contained backups (null: only when asked for, {@code backup --full}).
 */
public record Plan(String name, List<SourceSpec> sources, List<String> targets, Compression compression,
                   Retention retention, List<CommandSource> commands, List<PostgresSource> postgres,
                   Hooks hooks, Duration fullEvery) {

    public Plan {
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
        commands = commands == null ? List.of() : List.copyOf(commands);
        postgres = postgres == null ? List.of() : List.copyOf(postgres);
        hooks = hooks == null ? Hooks.NONE : hooks;
        if (fullEvery != null && (fullEvery.isNegative() || fullEvery.isZero())) {
            throw new IllegalArgumentException("full-every must be positive");
        }
    }

    public Plan(String name, List<SourceSpec> sources, List<String> targets, Compression compression,
                Retention retention, List<CommandSource> commands, List<PostgresSource> postgres, Hooks hooks) {
        this(name, sources, targets, compression, retention, commands, postgres, hooks, null);
    }

    /** Where this plan's backups go: its own targets, or the configured default target when it names none. */
    public List<String> targetsOrDefault(String defaultTarget) {
        return targets.isEmpty() ? List.of(defaultTarget) : targets;
    }

    public Plan(String name, List<SourceSpec> sources, List<String> targets, Compression compression,
                Retention retention) {
        this(name, sources, targets, compression, retention, List.of(), List.of(), Hooks.NONE, null);
    }

    /** True when the plan reads nothing at all. */
    public boolean isEmpty() {
        return sources.isEmpty() && commands.isEmpty() && postgres.isEmpty();
    }

    /** Replaces the folder sources (--source); command and database sources stay. */
    public Plan withSources(List<SourceSpec> replacement) {
        return new Plan(name, replacement, targets, compression, retention, commands, postgres, hooks, fullEvery);
    }

    public Plan withTargets(List<String> replacement) {
        return new Plan(name, sources, replacement, compression, retention, commands, postgres, hooks, fullEvery);
    }

    public Plan withCompression(Compression replacement) {
        return new Plan(name, sources, targets, replacement, retention, commands, postgres, hooks, fullEvery);
    }

    public Plan withHooks(Hooks replacement) {
        return new Plan(name, sources, targets, compression, retention, commands, postgres, replacement, fullEvery);
    }

    public Plan withFullEvery(Duration replacement) {
        return new Plan(name, sources, targets, compression, retention, commands, postgres, hooks, replacement);
    }

    public Plan plusCommand(CommandSource c) {
        List<CommandSource> all = new ArrayList<>(commands);
        all.add(c);
        return new Plan(name, sources, targets, compression, retention, all, postgres, hooks, fullEvery);
    }

    public Plan plusPostgres(PostgresSource p) {
        List<PostgresSource> all = new ArrayList<>(postgres);
        all.add(p);
        return new Plan(name, sources, targets, compression, retention, commands, all, hooks, fullEvery);
    }
}
