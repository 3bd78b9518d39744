package dev.firesafe.store.local;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.Store;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link Store} contract on a local folder: nothing is visible before commit, nothing is ever replaced. */
class LocalStoreTest {

    @TempDir
    Path tmp;

    private Path root;
    private LocalStore target;

    @BeforeEach
    void setUp() {
        root = tmp.resolve("backups");
        target = new LocalStore(root);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void put(String name, byte[] content) throws IOException {
        Store.Upload u = target.create(name);
        try (OutputStream out = u.stream()) {
            out.write(content);
        }
        u.commit();
    }

    private byte[] read(String name) throws IOException {
        try (InputStream in = target.open(name)) {
            return in.readAllBytes();
        }
    }

    private static Path partialOf(Path finalPath) {
        return finalPath.resolveSibling("." + finalPath.getFileName() + LocalStore.PARTIAL_SUFFIX);
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void nameDoesNotChangeWhenTheFolderAppears(@TempDir Path dir) throws IOException {
        LocalStore later = new LocalStore(dir.resolve("not-yet"));
        String before = later.describe();
        Files.createDirectories(dir.resolve("not-yet"));
        assertEquals(before, later.describe());
        assertEquals(dir.resolve("not-yet").toUri().toString(), before);
    }

    @Test
    void committedUploadIsListedAndReadBack() throws IOException {
        byte[] content = bytes("ciphertext, in real life");
        put("plan/one.firesafe", content);
        assertEquals(List.of(new Store.StoredObject("plan/one.firesafe", content.length)), target.list(""));
        assertArrayEquals(content, read("plan/one.firesafe"));
        assertFalse(Files.exists(partialOf(root.resolve("plan/one.firesafe"))), "the partial is gone after commit");
        assertEquals(List.of(root.resolve("plan/one.firesafe")), filesUnder(root));
    }

    @Test
    void abortedUploadLeavesNothing() throws IOException {
        Store.Upload u = target.create("plan/aborted.firesafe");
        u.stream().write(new byte[3 << 20]); // past the write buffer: bytes really reach the partial file
        u.abort();
        u.abort(); // twice is safe
        assertEquals(List.of(), target.list(""));
        assertEquals(List.of(), filesUnder(root), "no final file, no partial file");
        assertThrows(StoreIOException.class, () -> target.open("plan/aborted.firesafe"));
    }

    @Test
    void uncommittedUploadIsInvisibleAsAfterAKill() throws IOException {
        // A process killed mid-write: bytes written and flushed, commit never called, nothing cleaned up.
        Store.Upload u = target.create("plan/killed.firesafe");
        u.stream().write(new byte[3 << 20]);
        u.stream().flush();

        Path partial = partialOf(root.resolve("plan/killed.firesafe"));
        assertTrue(Files.isRegularFile(partial), "the hidden partial file holds the bytes");
        assertEquals(3 << 20, Files.size(partial));
        assertEquals(List.of(), target.list(""));
        assertEquals(List.of(), target.list("plan/"));
        assertFalse(Files.exists(root.resolve("plan/killed.firesafe")));
        assertThrows(StoreIOException.class, () -> target.open("plan/killed.firesafe"));
        // and the catalog of backups does not see it either
        assertEquals(List.of(), BackupCatalog.list(target, null));
    }

    @Test
    void commitRefusesToReplaceAnExistingObject() throws IOException {
        put("plan/same.firesafe", bytes("first"));
        Store.Upload second = target.create("plan/same.firesafe");
        try (OutputStream out = second.stream()) {
            out.write(bytes("second, longer"));
        }
        StoreIOException e = assertThrows(StoreIOException.class, second::commit);
        // the object by its name in the store, as every backend words it (store.StoreErrors)
        assertEquals("plan/same.firesafe already exists in " + target.describe() + "; not replacing it",
                e.getMessage());
        assertArrayEquals(bytes("first"), read("plan/same.firesafe"), "the old object is intact");
        assertEquals(List.of(root.resolve("plan/same.firesafe")), filesUnder(root), "the failed partial is gone");
        assertEquals(List.of(new Store.StoredObject("plan/same.firesafe", 5)), target.list(""));
    }

    @Test
    void twoUploadsOfOneNameAtOnceAreRefused() throws IOException {
        Store.Upload first = target.create("plan/x.firesafe");
        assertThrows(StoreIOException.class, () -> target.create("plan/x.firesafe"));
        try (OutputStream out = first.stream()) {
            out.write(bytes("first"));
        }
        first.commit();
        assertArrayEquals(bytes("first"), read("plan/x.firesafe"));
    }

    @Test
    void listIgnoresHiddenFilesAndHonoursThePrefix() throws IOException {
        put("a/1.firesafe", bytes("1"));
        put("b/2.firesafe", bytes("22"));
        Files.writeString(root.resolve("a/.hidden"), "x");
        Files.writeString(root.resolve(".DS_Store"), "x");
        Files.createDirectories(root.resolve(".git/objects"));
        Files.writeString(root.resolve(".git/objects/blob"), "x");

        assertEquals(List.of("a/1.firesafe", "b/2.firesafe"),
                target.list("").stream().map(Store.StoredObject::name).sorted().toList());
        assertEquals(List.of(new Store.StoredObject("b/2.firesafe", 2)), target.list("b/"));
        assertEquals(List.of(), target.list("c/"));
    }

    @Test
    void catalogIgnoresForeignFilesOnTheTarget() throws IOException {
        String id = BackupId.next(Instant.now());
        put(BackupCatalog.objectName("plan", id), bytes("backup"));
        put("plan/notes.txt", bytes("foreign"));
        put("plan/not-an-id.firesafe", bytes("foreign"));
        put("toplevel.firesafe", bytes("foreign"));
        put("plan/deeper/" + id + ".firesafe", bytes("foreign"));

        List<BackupCatalog.Ref> refs = BackupCatalog.list(target, null);
        assertEquals(List.of(new BackupCatalog.Ref("plan", id, "plan/" + id + ".firesafe", 6)), refs);
    }

    @Test
    void listOfAMissingRootIsEmptyAndOfAFileRootFails() throws IOException {
        assertEquals(List.of(), target.list(""));
        Path file = Files.createFile(tmp.resolve("plain-file"));
        assertThrows(StoreIOException.class, () -> new LocalStore(file).list(""));
    }

    @Test
    void openOfAMissingNameIsATargetError() {
        StoreIOException e = assertThrows(StoreIOException.class, () -> target.open("plan/missing.firesafe"));
        assertEquals("plan/missing.firesafe does not exist in " + target.describe(), e.getMessage());
    }

    @Test
    void namesEscapingTheRootAreRefused() throws IOException {
        String absolute = tmp.resolve("x").toString(); // outside the root; not /etc, should the check ever break
        for (String name : List.of("../x", "plan/../../x", absolute, "..", "", "plan/..")) {
            assertThrows(IllegalArgumentException.class, () -> target.create(name), name);
            assertThrows(IllegalArgumentException.class, () -> target.open(name), name);
            assertThrows(IllegalArgumentException.class, () -> target.delete(name), name);
        }
        assertFalse(Files.exists(tmp.resolve("x")));
        assertFalse(Files.exists(tmp.resolve(".x" + LocalStore.PARTIAL_SUFFIX)));
        assertFalse(Files.exists(root), "nothing was created at all");
    }

    @Test
    void stalePartialIsRemovedByTheNextCreateAndAFreshOneIsKept() throws IOException {
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path stale = dir.resolve(".old.firesafe" + LocalStore.PARTIAL_SUFFIX);
        Path fresh = dir.resolve(".running.firesafe" + LocalStore.PARTIAL_SUFFIX);
        Files.write(stale, new byte[100]);
        Files.write(fresh, new byte[100]);
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().minus(Duration.ofHours(5))));

        put("plan/new.firesafe", bytes("new"));

        assertFalse(Files.exists(stale), "a partial older than " + LocalStore.STALE_PARTIAL + " is removed");
        assertTrue(Files.exists(fresh), "a partial that may belong to a running backup is kept");
        assertArrayEquals(bytes("new"), read("plan/new.firesafe"));
    }

    /** An owner file as a writer on the machine {@code boot} leaves it (PartialOwner). */
    private static Path owner(Path partial, String boot) throws IOException {
        return Files.writeString(partial.resolveSibling(partial.getFileName() + PartialOwner.SUFFIX),
                "boot=" + boot + "\nhost=somewhere\npid=4194999\nstarted=" + Instant.now() + "\n");
    }

    private static String bootId() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    /**
     * Issue #19: a backup killed with kill -9 left a 441 MB partial that stayed for 6 hours; its writer is known to
     * be gone (same machine, nobody holds its lock), so the next backup or prune removes it at once.
     */
    @Test
    void aPartialWhoseWriterOnThisMachineIsGoneIsSweptAtOnce() throws IOException {
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path partial = Files.write(dir.resolve(".killed.firesafe" + LocalStore.PARTIAL_SUFFIX), new byte[100]);
        owner(partial, bootId());

        assertEquals(List.of(partial.getFileName().toString()), target.sweepPartials("plan"));
        assertEquals(List.of(), filesUnder(root), "the partial and its owner file are gone");
    }

    @Test
    void theNextBackupAndPruneSweepADeadWritersPartial() throws IOException {
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path partial = Files.write(dir.resolve(".killed.firesafe" + LocalStore.PARTIAL_SUFFIX), new byte[100]);
        owner(partial, bootId());
        put("plan/new.firesafe", bytes("new"));
        assertEquals(List.of(root.resolve("plan/new.firesafe")), filesUnder(root));
    }

    /** The one that must never go: a running backup's, however old, while its writer holds the lock. */
    @Test
    void aPartialWhoseWriterHoldsItsLockIsKeptHoweverOld() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3 to hold "
                + "a POSIX lock from another process");
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path partial = Files.write(dir.resolve(".running.firesafe" + LocalStore.PARTIAL_SUFFIX), new byte[100]);
        Path owner = owner(partial, bootId());
        Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        Process writer = new ProcessBuilder(python.toString(), "-c", "import fcntl, sys\n"
                + "f = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                + "sys.stdin.read()\n", owner.toString()).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                    writer.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());

            assertEquals(List.of(), target.sweepPartials("plan"));
            put("plan/other.firesafe", bytes("other")); // a backup beside it sweeps too
            assertTrue(Files.exists(partial) && Files.exists(owner), "a locked partial is never removed");
        } finally {
            writer.getOutputStream().close(); // the writer ends, and the kernel drops its lock
            writer.waitFor();
        }
        assertEquals(List.of(partial.getFileName().toString()), target.sweepPartials("plan"));
        assertFalse(Files.exists(owner));
    }

    /**
     * A writer makes its owner file, then locks it and writes who it is, then makes its partial. A sweep that comes
     * between the first two steps must leave the file: deleting it left that backup's partial without an owner,
     * protected by the age rule alone.
     */
    @Test
    void anOwnerFileBeingClaimedIsNotSwept() throws IOException {
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path claimed = Files.createFile(dir.resolve(".starting.firesafe" + LocalStore.PARTIAL_SUFFIX
                + PartialOwner.SUFFIX));
        Path leftover = owner(dir.resolve(".killed.firesafe" + LocalStore.PARTIAL_SUFFIX), bootId());

        assertEquals(List.of(), target.sweepPartials("plan"));
        assertTrue(Files.exists(claimed), "an owner file that names no writer yet stays");
        assertFalse(Files.exists(leftover), "an owner file of a gone writer without its partial is removed");

        Files.setLastModifiedTime(claimed, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        target.sweepPartials("plan");
        assertFalse(Files.exists(claimed), "one left unchanged for " + LocalStore.STALE_PARTIAL + " goes");
    }

    @Test
    void anUploadOfThisProcessIsNeverSwept() throws IOException {
        Store.Upload running = target.create("plan/running.firesafe");
        running.stream().write(new byte[3 << 20]);
        running.stream().flush();
        Path partial = partialOf(root.resolve("plan/running.firesafe"));
        Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minus(Duration.ofHours(7))));

        assertEquals(List.of(), target.sweepPartials("plan"));
        put("plan/other.firesafe", bytes("other"));
        try (OutputStream out = running.stream()) {
            out.write(bytes("end"));
        }
        running.commit();
        assertEquals((3 << 20) + 3, Files.size(root.resolve("plan/running.firesafe")));
    }

    /** Written on another machine (a shared folder): its lock may be local to it, so only the age rule applies. */
    @Test
    void aPartialFromAnotherMachineGoesOnlyByAge() throws IOException {
        Path dir = Files.createDirectories(root.resolve("plan"));
        Path fresh = Files.write(dir.resolve(".fresh.firesafe" + LocalStore.PARTIAL_SUFFIX), new byte[100]);
        Path old = Files.write(dir.resolve(".old.firesafe" + LocalStore.PARTIAL_SUFFIX), new byte[100]);
        owner(fresh, "another-machine");
        owner(old, "another-machine");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(7))));

        assertEquals(List.of(old.getFileName().toString()), target.sweepPartials("plan"));
        assertTrue(Files.exists(fresh));
        assertFalse(Files.exists(old));
    }

    @Test
    void deleteRemovesAnObjectAndIgnoresAMissingOne() throws IOException {
        put("plan/gone.firesafe", bytes("x"));
        target.delete("plan/gone.firesafe");
        target.delete("plan/gone.firesafe");
        assertEquals(List.of(), target.list(""));
    }
}
