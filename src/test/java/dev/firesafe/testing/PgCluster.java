package dev.firesafe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster: Debian's server binaries ({@code /usr/lib/postgresql/N/bin}), initdb into a
 * fresh folder with trust authentication, listening on 127.0.0.1 at a free port. The server refuses to run as
 * root, so under root every server command runs as the {@code postgres} OS user (runuser) on folders it owns.
 * Clients connect over TCP as the database superuser {@code postgres}.
 */
public final class PgCluster implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;

    private PgCluster(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The newest installed server's bin folder; null if there is none. */
    public static Path serverBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
                    && Files.isExecutable(b.resolve("pg_ctl"))).max(Comparator.comparing(Path::toString)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Skips the calling test class when PostgreSQL's server is not installed, except on CI, where the machine is
     * documented to have it (.ci/run installs it when missing) and its absence is a failure.
     */
    public static Path requireServer() {
        Path bin = serverBin();
        if (bin == null) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin/initdb):"
                        + " CI must install postgresql (see .ci/run)");
            }
            org.junit.jupiter.api.Assumptions.abort("PostgreSQL server binaries not installed");
        }
        return bin;
    }

    public static PgCluster start(Path bin) throws IOException, InterruptedException {
        return start(bin, List.of(), java.util.Map.of());
    }

    /**
     * A cluster made with {@code initdbArgs} added (say {@code --wal-segsize=1}) and {@code settings} appended to its
     * postgresql.conf before the first start (say wal_level, archive_mode, archive_command).
     */
    public static PgCluster start(Path bin, List<String> initdbArgs, java.util.Map<String, String> settings)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("firesafe-pg-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = dir.resolve("data");
        Files.createDirectories(dir.resolve("sock"));
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        if (asRoot()) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            for (Path p : List.of(dir, data, dir.resolve("sock"))) {
                Files.setOwner(p, users.lookupPrincipalByName("postgres"));
                Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(group);
            }
        }
        int port = S3Mock.freePort();
        PgCluster c = new PgCluster(bin, dir, port);
        List<String> initdb = new ArrayList<>(List.of("-D", data.toString(), "-A", "trust", "-U", "postgres", "-E",
                "UTF8", "--locale=C.UTF-8"));
        initdb.addAll(initdbArgs);
        c.server("initdb", initdb.toArray(String[]::new));
        StringBuilder conf = new StringBuilder("\n");
        settings.forEach((k, v) -> conf.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(data.resolve("postgresql.conf"), conf.toString(), java.nio.file.StandardOpenOption.APPEND);
        c.server("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir.resolve("sock") + " -c listen_addresses=127.0.0.1", "-w", "start");
        return c;
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void server(String program, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(program).toString());
        cmd.addAll(List.of(args));
        exec(cmd, dir);
    }

    public int port() {
        return port;
    }

    /** The cluster's data directory. */
    public Path data() {
        return dir.resolve("data");
    }

    /** The server's log file. */
    public Path log() {
        return dir.resolve("server.log");
    }

    /** Gives {@code path} to the user the server runs as (under root: postgres), so the server can use it. */
    public static void giveToServer(Path path) throws IOException {
        if (asRoot()) {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(path, users.lookupPrincipalByName("postgres"));
        }
    }

    /** Runs SQL as the superuser with psql (unaligned, tuples only) and returns what it printed. */
    public String sql(String database, String sql) throws IOException, InterruptedException {
        return exec(List.of(bin.resolve("psql").toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", database, "-c", sql), null);
    }

    private static String exec(List<String> cmd, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /** Runs SQL as the superuser on any server at 127.0.0.1:{@code port} (a restored one) and returns its output. */
    public static String sqlAt(int port, String sql) throws IOException, InterruptedException {
        return exec(List.of(serverBin().resolve("psql").toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres", "-c", sql), null).strip();
    }

    /**
     * Switches the server at 127.0.0.1:{@code port} to a new WAL segment and waits (polling pg_stat_archiver) until
     * the one it left is archived; returns that segment's name.
     */
    public static String switchAndAwaitArchive(int port, java.time.Duration within) throws Exception {
        String segment = sqlAt(port, "SELECT pg_walfile_name(pg_switch_wal())");
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String last = sqlAt(port, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            if (last.compareTo(segment) >= 0) {
                return segment;
            }
            Thread.sleep(100); // polling the archiver's progress: PostgreSQL offers no event to wait on
        }
        throw new AssertionError("segment " + segment + " was not archived within " + within + "; failed: "
                + sqlAt(port, "SELECT failed_count, last_failed_wal FROM pg_stat_archiver"));
    }

    /** Stops ({@code -m immediate}) a server running on {@code data} (a restored one), as the server's user. */
    public static void stopServerOn(Path data) throws IOException, InterruptedException {
        if (!Files.exists(data.resolve("postmaster.pid"))) {
            return;
        }
        List<String> cmd = new ArrayList<>();
        if (asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(serverBin().resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
                "stop"));
        exec(cmd, null);
    }

    /** Stops every cluster given (nulls skipped), even when stopping an earlier one fails. */
    public static void closeAll(PgCluster... clusters) throws IOException, InterruptedException {
        IOException first = null;
        for (PgCluster c : clusters) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            server("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
