package dev.firesafe.repository.wal;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A backup history file ({@code SEGMENT.OFFSET.backup}), which PostgreSQL archives when a base backup ends: where
 * its WAL starts and stops, on which timelines, when, and its label.
 *
 * @param stopTime empty when the server wrote it in a form this parser does not read (it uses the server's
 *                 log_timezone abbreviation)
 */
public record BackupHistory(String label, Lsn start, int startTimeline, Lsn stop, int stopTimeline,
                            Optional<Instant> stopTime) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    /** Parses the file's text; empty if a field a restore needs is missing. */
    public static Optional<BackupHistory> parse(String text) {
        Map<String, String> f = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                f.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
            }
        }
        try {
            Lsn start = Lsn.parse(firstWord(f.get("START WAL LOCATION")));
            Lsn stop = Lsn.parse(firstWord(f.get("STOP WAL LOCATION")));
            int startTl = Integer.parseInt(f.getOrDefault("START TIMELINE", "1"));
            int stopTl = Integer.parseInt(f.getOrDefault("STOP TIMELINE", Integer.toString(startTl)));
            return Optional.of(new BackupHistory(f.get("LABEL"), start, startTl, stop, stopTl,
                    time(f.get("STOP TIME"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String firstWord(String s) {
        return s == null ? null : s.split(" ")[0];
    }

    private static Optional<Instant> time(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(text, TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
