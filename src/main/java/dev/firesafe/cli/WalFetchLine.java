package dev.firesafe.cli;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.StoreUri;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code restore_command} a point-in-time restore writes: a shell line (PostgreSQL runs it with
 * {@code /bin/sh}) that moves a prefetched segment out of the spool when one is there, without starting a JVM,
 * and otherwise runs {@code wal-fetch} with this Firesafe's absolute launcher, the plan, the target and the spool.
 *
 * <p>The launcher is {@code FIRESAFE_LAUNCHER} when set (say a wrapper script), else the running JVM's
 * {@code java} with {@code -jar} and the absolute path of the jar it runs. The key: with a key file, its absolute
 * path as {@code FIRESAFE_MASTER_KEY_FILE=...} on the line (the file's content never is); with
 * {@code FIRESAFE_MASTER_KEY}, nothing: the server must have it in its environment (docs/pitr.md).
 */
final class WalFetchLine {

    private WalFetchLine() {
    }

    static String build(String plan, String target, Path spool, Optional<Path> keyFile) {
        String fetch = String.join(" ", launcher()) + " wal-fetch \"%f\" \"%p\" --plan " + ShellWords.quote(plan)
                + " --target " + ShellWords.quote(absolute(target)) + " --spool "
                + ShellWords.quote(spool.toAbsolutePath().toString());
        String key = keyFile.map(f -> "FIRESAFE_MASTER_KEY_FILE=" + ShellWords.quote(f.toAbsolutePath().toString())
                + " ").orElse("");
        String spooled = ShellWords.quote(spool.toAbsolutePath().toString()) + "/\"%f\"";
        return "if [ -f " + spooled + " ]; then mv " + spooled + " \"%p\"; else " + key + fetch + "; fi";
    }

    /** A local target given as a relative path, made absolute: the server runs the line in its data directory. */
    static String absolute(String target) {
        StoreUri uri = StoreUri.parse(target);
        if (uri.scheme().equals("file") && !target.contains("://")) {
            return uri.localFolder().map(p -> p.toAbsolutePath().toString()).orElse(target);
        }
        return target;
    }

    static List<String> launcher() {
        String custom = System.getenv("FIRESAFE_LAUNCHER");
        if (custom != null && !custom.isBlank()) {
            return List.of(custom.strip());
        }
        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                "bin", "java").toString());
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
            throw FiresafeException.usage("cannot tell how to start this Firesafe from a restore_command (class path "
                    + classPath + "): set FIRESAFE_LAUNCHER to its command, e.g. /usr/local/bin/firesafe");
        }
        List<String> argv = new ArrayList<>();
        argv.add(ShellWords.quote(javaBin));
        // C1 only: a wal-fetch is short; the optimising compiler would cost start-up time it never pays back
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-jar");
        argv.add(ShellWords.quote(Path.of(classPath).toAbsolutePath().toString()));
        return argv;
    }
}
