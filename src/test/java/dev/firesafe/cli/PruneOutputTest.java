package dev.firesafe.cli;

import dev.firesafe.engine.retention.PruneService;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #20: {@code prune --dry-run} shows the bytes it would free, as text and with --json. */
class PruneOutputTest {

    private static PruneService.Report report(boolean dryRun) {
        return new PruneService.Report("file:///t/", "p", dryRun,
                List.of(new PruneService.Kept("20260302T000000.000Z-00000002", List.of("last"))),
                List.of("20260301T000000.000Z-00000001"),
                List.of(new PruneService.Reclaimed("20260201T000000.000Z-00000000", "rewrite",
                                List.of("p/20260201T000000.000Z-00000000.firesafe"), 3_000_000, 1_000_000, 990_000),
                        new PruneService.Reclaimed("20260215T000000.000Z-0000000f", "delete",
                                List.of("p/20260215T000000.000Z-0000000f.firesafe"), 500_000, 0, 0)),
                2_500_000, 4_000_000, Instant.parse("2026-03-02T00:00:00Z"),
                List.of("backups removed less than PT24H ago still count as kept"), null);
    }

    @Test
    void aDryRunSaysWhatItWouldFree() {
        List<String> text = PruneCommand.text(report(true), false);
        assertEquals("file:///t/, plan 'p' (dry run):", text.get(0));
        assertTrue(text.contains("  would remove  20260301T000000.000Z-00000001"), text.toString());
        assertTrue(text.contains("  would rewrite 20260201T000000.000Z-00000000's objects: 3.0 MB -> 1.0 MB "
                + "(990.0 kB live)"), text.toString());
        assertTrue(text.contains("  would delete p/20260215T000000.000Z-0000000f.firesafe (500.0 kB): no kept backup "
                + "needs it"), text.toString());
        assertTrue(text.contains("  would free 2.5 MB; removed backups still hold 4.0 MB"), text.toString());
        assertTrue(text.contains("  note: backups removed less than PT24H ago still count as kept"), text.toString());
        assertTrue(PruneCommand.text(report(false), false).contains("  freed 2.5 MB; removed backups still hold "
                + "4.0 MB"));
    }

    @Test
    void jsonCarriesTheBytes() {
        String json = Json.of(report(true));
        assertTrue(json.contains("\"dryRun\":true"), json);
        assertTrue(json.contains("\"freedBytes\":2500000"), json);
        assertTrue(json.contains("\"heldBytes\":4000000"), json);
        assertTrue(json.contains("\"nextReclaim\":\"2026-03-02T00:00:00Z\""), json);
        assertTrue(json.contains("{\"backup\":\"20260201T000000.000Z-00000000\",\"action\":\"rewrite\",\"objects\":"
                + "[\"p/20260201T000000.000Z-00000000.firesafe\"],\"bytesBefore\":3000000,\"bytesAfter\":1000000,"
                + "\"liveBytes\":990000"), json);
    }
}
