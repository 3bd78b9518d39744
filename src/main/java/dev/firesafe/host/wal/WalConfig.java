package dev.firesafe.host.wal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code firesafe.wal.*}: continuous WAL archiving under {@code serve} (docs/pitr.md, "Streaming"). */
@ConfigMapping(prefix = "firesafe.wal")
public interface WalConfig {

    /** Where each streaming function's spool folder is made ({@code SPOOL-DIR/FUNCTION}) unless its file names one. */
    @WithDefault("${user.home}/.local/share/firesafe/wal")
    String spoolDir();

    /** How often the servers are asked about their replication slots and archiver, and lag alerts are judged. */
    @WithDefault("10s")
    Duration checkEvery();

    /** The first wait before a receiver that ended is started again; it doubles per failure up to a minute. */
    @WithDefault("1s")
    Duration restartBackoff();
}
