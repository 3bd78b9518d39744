package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #8: the host seals backups with a public key and cannot read them back. */
class WriteOnlyTest {

    @TempDir
    Path tmp;

    private Path source;
    private Path target;
    private final RecoveryKey recovery = RecoveryKey.generate();

    @BeforeEach
    void tree() throws IOException {
        source = Trees.everyKind(tmp.resolve("tree"));
        target = tmp.resolve("target");
    }

    private FiresafeConfig config(Map<String, String> keys) {
        Map<String, String> values = new HashMap<>(keys);
        values.put("firesafe.default-key-file", tmp.resolve("no-default-key").toString());
        return Fixtures.config(values);
    }

    /** A host that has only the public key (and, to prove it is never read, a garbage master key). */
    private BackupResult backupOnHost(String publicKeyText) {
        return backupOnHost(publicKeyText, false);
    }

    /** {@code full}: a backup that needs no other (an incremental one needs the objects it references). */
    private BackupResult backupOnHost(String publicKeyText, boolean full) {
        FiresafeConfig host = config(Map.of("firesafe.public-key", publicKeyText,
                "firesafe.master-key", "fsk1-this-is-not-a-key-and-must-never-be-parsed"));
        Plan plan = new Plan("vault", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        return Fixtures.services(host).backups().run(plan, Progress.NONE, full);
    }

    private RestoreService reader(String keyText) {
        FiresafeConfig reader = config(Map.of("firesafe.master-key", keyText));
        return Fixtures.services(reader).restores();
    }

    @Test
    void roundTripWithThePrivateKeyOnly() throws IOException {
        BackupResult b = backupOnHost(recovery.publicKey().toText());
        assertTrue(b.ok());
        Path out = tmp.resolve("out");
        reader(recovery.toEscrowText()).restore(target.toString(), b.id(), null, out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("tree")));
        assertFalse(Files.readString(onlyFile(b.id()), StandardCharsets.ISO_8859_1)
                .contains(recovery.toEscrowText()), "the private key is never in the archive");
    }

    @Test
    void restoreWithoutThePrivateKeyIsRefusedClearly() {
        BackupResult b = backupOnHost(recovery.publicKey().toText());
        FiresafeException e = assertThrows(FiresafeException.class, () -> reader(MasterKey.generate(65536)
                .toEscrowText()).verify(target.toString(), b.id(), null, Progress.NONE));
        assertEquals(ExitCode.KEY, e.exitCode());
        assertTrue(e.getMessage().contains("write-only") && e.getMessage().contains("recovery key"), e.getMessage());

        FiresafeException other = assertThrows(FiresafeException.class, () -> reader(RecoveryKey.generate()
                .toEscrowText()).verify(target.toString(), b.id(), null, Progress.NONE));
        assertEquals(ExitCode.KEY, other.exitCode());
        assertTrue(other.getMessage().contains("wrong key"), other.getMessage());
    }

    /** Issue #18: a flipped key id in a write-only backup's header is damage (4); another recovery key stays 3. */
    @Test
    void aFlippedKeyIdIsDamageNotAWrongKey() throws IOException {
        BackupResult b = backupOnHost(recovery.publicKey().toText(), true);
        Path file = onlyFile(b.id());
        BackupHeader header = readHeader(file);
        byte[] original = header.toBytes();
        String id = header.keyId();
        int digit = 0;
        while (!Character.isDigit(id.charAt(digit))) {
            digit++;
        }
        String flipped = id.substring(0, digit) + (char) (id.charAt(digit) ^ 1) + id.substring(digit + 1);
        BackupHeader forged = new BackupHeader(header.backupId(), header.plan(), header.created(),
                header.compression(), header.keyMode(), flipped, header.segmentSize(), header.wrappedKey(),
                header.format());
        byte[] bytes = Files.readAllBytes(file);
        byte[] newHeader = forged.toBytes();
        assertEquals(original.length, newHeader.length);
        System.arraycopy(newHeader, 0, bytes, 0, newHeader.length);
        Files.write(file, bytes);

        FiresafeException e = assertThrows(FiresafeException.class, () -> reader(recovery.toEscrowText())
                .verify(target.toString(), b.id(), null, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("key id " + flipped) && e.getMessage().contains("damaged"),
                e.getMessage());
        FiresafeException other = assertThrows(FiresafeException.class, () -> reader(RecoveryKey.generate()
                .toEscrowText()).verify(target.toString(), b.id(), null, Progress.NONE));
        assertEquals(ExitCode.KEY, other.exitCode(), other.getMessage());
    }

    @Test
    void swappedWrappedKeyFailsAuthentication() throws IOException {
        BackupResult a = backupOnHost(recovery.publicKey().toText());
        BackupResult b = backupOnHost(recovery.publicKey().toText(), true);
        Path fileA = onlyFile(a.id());
        String wrappedB = readHeader(onlyFile(b.id())).wrappedKey();
        byte[] original = Files.readAllBytes(fileA);
        BackupHeader headerA = readHeader(fileA);
        byte[] oldHeader = headerA.toBytes();
        BackupHeader forged = new BackupHeader(headerA.backupId(), headerA.plan(), headerA.created(),
                headerA.compression(), headerA.keyMode(), headerA.keyId(), headerA.segmentSize(), wrappedB,
                headerA.format());
        byte[] newHeader = forged.toBytes();
        Files.write(fileA, ByteBuffer.allocate(newHeader.length + original.length - oldHeader.length).put(newHeader)
                .put(Arrays.copyOfRange(original, oldHeader.length, original.length)).array());

        FiresafeException e = assertThrows(FiresafeException.class, () -> reader(recovery.toEscrowText())
                .verify(target.toString(), a.id(), null, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        reader(recovery.toEscrowText()).verify(target.toString(), b.id(), null, Progress.NONE);
    }

    @Test
    void mixedTargetListsBothModesAndRestoresEachWithItsKey() throws IOException {
        MasterKey master = MasterKey.generate(65536);
        FiresafeConfig symmetric = config(Map.of("firesafe.master-key", master.toEscrowText()));
        Plan plan = new Plan("vault", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult old = Fixtures.services(symmetric).backups().run(plan, Progress.NONE);
        BackupResult fresh = backupOnHost(recovery.publicKey().toText());

        LocalStore t = new LocalStore(target);
        List<BackupCatalog.Ref> refs = BackupCatalog.list(t, null);
        assertEquals(List.of(old.id(), fresh.id()), refs.stream().map(BackupCatalog.Ref::id).toList());
        assertEquals(BackupHeader.KEY_MODE_MASTER, BackupCatalog.header(t, refs.get(0)).keyMode());
        assertEquals(BackupHeader.KEY_MODE_RECIPIENT, BackupCatalog.header(t, refs.get(1)).keyMode());

        RestoreService both = reader(master.toEscrowText() + "\n" + recovery.toEscrowText());
        both.restore(target.toString(), old.id(), null, tmp.resolve("old"), false, Progress.NONE);
        both.restore(target.toString(), fresh.id(), null, tmp.resolve("new"), false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(tmp.resolve("old/tree")));
        assertEquals(Trees.describe(source), Trees.describe(tmp.resolve("new/tree")));
    }

    @Test
    void rotatedRecoveryKeyReadsBackupsForOldAndNewPublicKeys() {
        BackupResult before = backupOnHost(recovery.publicKey().toText());
        RecoveryKey rotated = recovery.rotate();
        BackupResult after = backupOnHost(rotated.publicKey().toText());
        assertEquals(2, rotated.keyIds().size());
        RestoreService reader = reader(rotated.toEscrowText());
        reader.verify(target.toString(), before.id(), null, Progress.NONE);
        reader.verify(target.toString(), after.id(), null, Progress.NONE);
        FiresafeException e = assertThrows(FiresafeException.class, () -> reader(recovery.toEscrowText())
                .verify(target.toString(), after.id(), null, Progress.NONE));
        assertEquals(ExitCode.KEY, e.exitCode());
    }

    private Path onlyFile(String id) {
        return target.resolve("vault/" + id + BackupCatalog.SUFFIX);
    }

    private static BackupHeader readHeader(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return BackupHeader.read(in, file.toString()).header();
        }
    }
}
