package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The scene of the crafted-archive tests: a target of backups made with the project's own writer under the right
 * key, a destination to restore them into, a folder beside it that must stay empty, and a file worth stealing.
 */
final class CraftedRestore {

    static final String PLAN = "crafted";

    final MasterKey key = MasterKey.generate(65536);
    final Path target;
    final Path dest;
    final Path outside;
    final Path payload;
    private final Path tmp;

    CraftedRestore(Path tmp) throws IOException {
        this.tmp = tmp;
        target = tmp.resolve("target");
        dest = tmp.resolve("restore/dest");
        outside = Files.createDirectories(tmp.resolve("outside"));
        payload = tmp.resolve("payload.txt");
        Trees.write(payload, "pwned\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    }

    /** A backup of what {@code entries} writes; its id. */
    String craft(CraftedBackups.Entries entries) throws IOException {
        return CraftedBackups.withWriter(target, PLAN, key, entries);
    }

    /** A regular file's tar entry as raw bytes: its header, then its content padded to whole 512-byte blocks. */
    static void rawTarFile(java.io.OutputStream out, String name, byte[] content) throws IOException {
        org.apache.commons.compress.archivers.tar.TarArchiveEntry e =
                new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name,
                        org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL);
        e.setSize(content.length);
        byte[] header = new byte[512];
        e.writeEntryHeader(header);
        out.write(header);
        out.write(java.util.Arrays.copyOf(content, (content.length + 511) / 512 * 512));
    }

    /** A block that is no tar header (its checksum cannot match), then the two blocks that end an archive. */
    static void garbageBlockThenEnd(java.io.OutputStream out) throws IOException {
        byte[] garbage = new byte[512];
        java.util.Arrays.fill(garbage, (byte) 'A');
        out.write(garbage);
        out.write(new byte[1024]);
    }

    FiresafeException restoreFails(String id, boolean force) {
        return assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .restore(target.toString(), id, PLAN, dest, force, Progress.NONE));
    }

    void restoreOk(String id) {
        Fixtures.restoreService(key, tmp).restore(target.toString(), id, PLAN, dest, false, Progress.NONE);
    }

    FiresafeException verifyFails(String id) {
        return assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .verify(target.toString(), id, PLAN, Progress.NONE));
    }
}
