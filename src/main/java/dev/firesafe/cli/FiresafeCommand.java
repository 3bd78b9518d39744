package dev.firesafe.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** The {@code firesafe} command line; each subcommand is a thin adapter over one service. */
@TopCommand
@Command(name = "firesafe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Encrypted, automated, offsite backups for self-hosted systems.",
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 key, 4 integrity, 5 target,",
            "6 source, 7 incomplete backup, 8 restore destination not writable (disk full);",
            "wal-fetch: 126 archive unreadable (stops PostgreSQL's recovery)."})
public class FiresafeCommand {

    /**
     * The subcommands, in the order the usage help lists them. Not in the annotation: picocli reads the
     * annotations of every subcommand it is given, and a one-shot command needs only its own (~30 ms of a
     * timer's backup, docs/benchmarks.md "Unchanged backups"): see {@link CliSetup#subcommands}.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(InitCommand.class, KeygenCommand.class, BackupCommand.class,
            ListCommand.class, VerifyCommand.class, RestoreCommand.class, PruneCommand.class, ServeCommand.class,
            RunFunctionCommand.class, DrillCommand.class, WalPushCommand.class, WalFetchCommand.class,
            CommandLine.HelpCommand.class);
}
