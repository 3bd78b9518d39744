package dev.firesafe.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code firesafe} command line; each subcommand is a thin adapter over one service. */
@TopCommand
@Command(name = "firesafe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Encrypted, automated, offsite backups for self-hosted systems.",
        subcommands = {InitCommand.class, KeygenCommand.class, BackupCommand.class, ListCommand.class,
            VerifyCommand.class, RestoreCommand.class, PruneCommand.class, ServeCommand.class,
            RunFunctionCommand.class, DrillCommand.class, WalPushCommand.class, WalFetchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 key, 4 integrity, 5 target,",
            "6 source, 7 incomplete backup, 8 restore destination not writable (disk full);",
            "wal-fetch: 126 archive unreadable (stops PostgreSQL's recovery)."})
public class FiresafeCommand {
}
