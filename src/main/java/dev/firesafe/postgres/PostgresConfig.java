package dev.firesafe.postgres;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;

/** Settings of PostgreSQL sources and restores (README, "Plans"). */
@ConfigMapping(prefix = "firesafe.postgres")
public interface PostgresConfig {
    /**
     * Where to look for pg_dump, pg_dumpall, psql and pg_restore, in order: {@code PATH} (the PATH folders),
     * folders (a {@code *} matches one folder name) or the programs themselves. A dump needs a client of the
     * server's major version or newer; of those that fit, the oldest is used, since its output is the most
     * likely to load back into a server of the dumped version.
     */
    @WithDefault("PATH,/usr/lib/postgresql/*/bin")
    List<String> clientPaths();
}
