package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import dev.firesafe.engine.wal.WalCheck;

import java.util.stream.Collectors;

/** What {@code verify --wal} prints. */
final class WalReport {

    private WalReport() {
    }

    static int print(WalCheck.Report r, boolean json) {
        if (json) {
            System.out.println(Json.of(r));
        } else {
            System.out.printf("WAL archive of plan '%s' in %s: %s segments%n", r.plan(), r.target(),
                    Units.bytes(r.segmentSize()));
            for (WalCheck.Timeline t : r.timelines()) {
                System.out.printf("  timeline %d: %s%s%n", t.timeline(), t.segments() == 0 ? "history only"
                        : t.segments() + " segment(s), " + t.first() + " to " + t.last(), t.gaps().isEmpty() ? ""
                        : "; GAPS: " + t.gaps().stream().map(Object::toString).collect(Collectors.joining(", ")));
            }
            if (r.windows().isEmpty()) {
                System.out.println("  no base backup of this plan that the archive knows (backup --postgres-base)");
            }
            for (WalCheck.Window w : r.windows()) {
                System.out.printf("  base backup %s (WAL from %s, timeline %d): recoverable from %s%s to %s on "
                                + "timeline %d%s%n", w.backupId(), w.start(), w.startTimeline(), w.consistentAt(),
                        w.consistentTime() == null ? "" : " (" + w.consistentTime() + ")", w.reaches(), w.timeline(),
                        w.complete() ? " (the newest archived WAL)" : "; then missing: " + w.gaps().stream()
                                .map(Object::toString).collect(Collectors.joining(", ")));
            }
        }
        if (!r.ok()) {
            System.err.println("firesafe: the newest base backup cannot be recovered to the newest archived WAL"
                    + (r.windows().isEmpty() ? " (there is none)" : ""));
            return ExitCode.INTEGRITY.code;
        }
        return 0;
    }
}
