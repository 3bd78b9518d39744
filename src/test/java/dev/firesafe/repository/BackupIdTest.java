package dev.firesafe.repository;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backup ids are written and read digit by digit: the same text and times a DateTimeFormatter gives. */
class BackupIdTest {

    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void idsReadBackAsTheTimeTheyWereMadeAtToTheMillisecond() {
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochMilli(random.nextLong(0, 253402300799999L)); // up to 9999-12-31
            String id = BackupId.next(t);
            assertEquals(REFERENCE.format(t), id.substring(0, 20));
            assertTrue(BackupId.isValid(id), id);
            assertEquals(t, BackupId.time(id));
        }
        assertEquals("20261124T161550.123Z", BackupId.next(Instant.parse("2026-11-24T16:15:50.123Z")).substring(0, 20));
    }

    @Test
    void aNameWithNoSuchTimeIsNotAnId() {
        assertTrue(BackupId.isValid("20240229T000000.000Z-1a2b3c4d"), "a leap day");
        assertFalse(BackupId.isValid("20250229T000000.000Z-1a2b3c4d"), "no leap day in 2025");
        assertFalse(BackupId.isValid("20260230T000000.000Z-1a2b3c4d"));
        assertFalse(BackupId.isValid("20261324T000000.000Z-1a2b3c4d"));
        assertFalse(BackupId.isValid("20261124T246000.000Z-1a2b3c4d"));
        assertFalse(BackupId.isValid("20261124T161550.123Z-1a2b3c4"));
        assertFalse(BackupId.isValid("20261124T161550.123Z-1A2B3C4D"));
        assertFalse(BackupId.isValid("2026112T4161550.123Z-1a2b3c4d"));
    }
}
