package dev.firesafe.plan;

import dev.firesafe.core.Durations;
import dev.firesafe.core.FiresafeException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A function's continuous WAL archiving (the {@code wal:} section of its file, docs/pitr.md "Streaming"): the
 * server, and how its WAL reaches the plan's targets.
 * <ul>
 *   <li>{@code mode: stream} (the default): {@code serve} runs PostgreSQL's {@code pg_receivewal} on the
 *       replication slot {@code slot} into the local {@code spool} folder and ships every completed segment, and
 *       the segment being written every {@code partial-every}. At most {@code spool-limit} bytes wait there while
 *       a target is down; past it the receiver is stopped, so the slot keeps the WAL on the server.</li>
 *   <li>{@code mode: archive-command}: the server's {@code archive_command} runs {@code firesafe wal-push};
 *       {@code serve} only watches {@code pg_stat_archiver}.</li>
 * </ul>
 * {@code rpo}: the archive lag (age of the oldest WAL not yet on the targets) past which health turns DOWN and
 * the webhook is called.
 */
public record WalSpec(PostgresSource server, Mode mode, String slot, boolean synchronous, Path spool,
                      long spoolLimitBytes, Duration partialEvery, Duration rpo) {

    public enum Mode { STREAM, ARCHIVE_COMMAND }

    public static final long DEFAULT_SPOOL_LIMIT = 8L << 30;
    public static final Duration DEFAULT_PARTIAL_EVERY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RPO = Duration.ofMinutes(5);

    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)i?B?", Pattern.CASE_INSENSITIVE);

    public boolean streams() {
        return mode == Mode.STREAM;
    }

    /** The slot a function uses when its file names none: {@code firesafe_NAME} in the characters slots allow. */
    static String defaultSlot(String function) {
        String s = "firesafe_" + function.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return s.length() > 63 ? s.substring(0, 63) : s;
    }

    /** Checks the file's {@code wal:} section; messages name the file and the key. */
    static WalSpec parse(String where, String function, FunctionFile.WalSection w) {
        Mode mode = switch (w.mode() == null ? "stream" : w.mode()) {
            case "stream" -> Mode.STREAM;
            case "archive-command" -> Mode.ARCHIVE_COMMAND;
            default -> throw FiresafeException.usage(where + ": wal.mode '" + w.mode()
                    + "' is not 'stream' or 'archive-command'");
        };
        String slot = w.slot() == null ? defaultSlot(function) : w.slot();
        if (!SLOT.matcher(slot).matches()) {
            throw FiresafeException.usage(where + ": wal.slot '" + slot + "' must be 1-63 lower-case letters, digits"
                    + " or '_' (PostgreSQL's rule for slot names)");
        }
        if (mode == Mode.ARCHIVE_COMMAND) {
            for (String[] streamOnly : new String[][]{{"slot", w.slot()}, {"synchronous", w.synchronous()},
                    {"spool", w.spool()}, {"spool-limit", w.spoolLimit()}, {"partial-every", w.partialEvery()}}) {
                if (streamOnly[1] != null) {
                    throw FiresafeException.usage(where + ": wal." + streamOnly[0] + " applies to mode: stream only");
                }
            }
        }
        if (w.synchronous() != null && !w.synchronous().equals("true") && !w.synchronous().equals("false")) {
            throw FiresafeException.usage(where + ": wal.synchronous must be true or false");
        }
        Duration partialEvery = w.partialEvery() == null ? DEFAULT_PARTIAL_EVERY
                : Durations.parse(where + ": wal.partial-every", w.partialEvery());
        Duration rpo = w.rpo() == null ? DEFAULT_RPO : Durations.parse(where + ": wal.rpo", w.rpo());
        if (partialEvery.isZero() || partialEvery.isNegative() || rpo.isZero() || rpo.isNegative()) {
            throw FiresafeException.usage(where + ": wal.partial-every and wal.rpo must be longer than 0");
        }
        PostgresSource server = new PostgresSource(w.host(), w.port() == null ? 0 : w.port(), w.user(),
                w.passwordFile() == null ? null : Path.of(w.passwordFile()), w.sslmode(), null);
        return new WalSpec(server, mode, slot, "true".equals(w.synchronous()),
                w.spool() == null ? null : Path.of(w.spool()),
                w.spoolLimit() == null ? DEFAULT_SPOOL_LIMIT : size(where + ": wal.spool-limit", w.spoolLimit()),
                partialEvery, rpo);
    }

    /** {@code 512MB}, {@code 8GB}, {@code 1T}, a plain number of bytes; powers of 1024. */
    static long size(String where, String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw FiresafeException.usage(where + ": '" + text + "' is not a size like 512MB or 8GB");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
            throw FiresafeException.usage(where + ": '" + text + "' is not a size above 0");
        }
        return n << shift;
    }

    /** For logs and {@code GET /functions}. */
    public String describe() {
        return streams() ? "wal stream from " + server.host() + ":" + server.port() + " (slot " + slot + ", rpo "
                + Durations.format(rpo) + ")"
                : "wal archive-command on " + server.host() + ":" + server.port() + " (rpo " + Durations.format(rpo)
                + ")";
    }
}
