package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.SmallDisk;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backups of the original system, made by an independent Fernet implementation: Python's {@code cryptography}
 * package (Debian's python3-cryptography, installed by .ci/run) encrypts a tar.gz written by Python's tarfile.
 */
class LegacyFernetRestoreTest {

    private static final String PYTHON = "/usr/bin/python3";

    /** Writes a tar.gz of argv[1] (or a crafted one) Fernet-encrypted to argv[2]; prints the key. */
    private static final String MAKE_TOKEN = String.join("\n",
            "import io, sys, tarfile",
            "from cryptography.fernet import Fernet",
            "src, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]",
            "buf = io.BytesIO()",
            "with tarfile.open(fileobj=buf, mode='w:gz') as t:",
            "    if mode == 'tree':",
            "        t.add(src, arcname='.')",
            "    else:",
            "        data = b'owned'",
            "        info = tarfile.TarInfo('../escape.txt'); info.size = len(data)",
            "        t.addfile(info, io.BytesIO(data))",
            "key = Fernet.generate_key()",
            "open(out, 'wb').write(Fernet(key).encrypt(buf.getvalue()))",
            "print(key.decode())");

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsPythonCryptography() throws Exception {
        boolean available = Files.isExecutable(Path.of(PYTHON))
                && new ProcessBuilder(PYTHON, "-c", "import cryptography.fernet").start().waitFor() == 0;
        if (!available && System.getenv("CI") != null) {
            throw new IllegalStateException("CI must install python3-cryptography (see .ci/run)");
        }
        assumeTrue(available, "python3-cryptography is not installed: apt-get install python3-cryptography");
    }

    private String makeToken(Path src, Path token, String mode) throws Exception {
        Path script = Files.writeString(tmp.resolve("make_token.py"), MAKE_TOKEN);
        Process p = new ProcessBuilder(List.of(PYTHON, script.toString(), src.toString(), token.toString(), mode))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    @Test
    void restoresATreeEncryptedByPythonsFernet() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("vault"));
        Trees.write(src.resolve("vault.enc"), "secret-ish".getBytes(StandardCharsets.UTF_8), "rw-------");
        Trees.write(src.resolve("pg/dump.sql"), "CREATE TABLE t();\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Path token = tmp.resolve("backup.fernet");
        String key = makeToken(src, token, "tree");

        Path out = tmp.resolve("out");
        LegacyFernetRestore.Result r = LegacyFernetRestore.restore(token, key, "AITHER_MASTER_KEY", out, false);
        assertEquals(2, r.files());
        assertEquals(Trees.describe(src), Trees.describe(out));
    }

    @Test
    void wrongKeyAndTamperingAreRefused() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("vault"));
        Files.writeString(src.resolve("a"), "a");
        Path token = tmp.resolve("backup.fernet");
        String key = makeToken(src, token, "tree");
        String otherKey = makeToken(src, tmp.resolve("other.fernet"), "tree");

        FiresafeException wrong = assertThrows(FiresafeException.class, () -> LegacyFernetRestore.restore(token,
                otherKey, "AITHER_MASTER_KEY", tmp.resolve("o1"), false));
        assertEquals(ExitCode.KEY, wrong.exitCode());
        assertFalse(wrong.getMessage().contains(otherKey), "the key never appears in errors");

        String text = Files.readString(token);
        char flipped = text.charAt(60) == 'A' ? 'B' : 'A';
        Files.writeString(token, text.substring(0, 60) + flipped + text.substring(61));
        FiresafeException tampered = assertThrows(FiresafeException.class, () -> LegacyFernetRestore.restore(token,
                key, "AITHER_MASTER_KEY", tmp.resolve("o2"), false));
        assertTrue(tampered.getMessage().contains("damaged"), tampered.getMessage());
    }

    @Test
    void pathTraversalInsideTheOldArchiveIsRefused() throws Exception {
        Path token = tmp.resolve("evil.fernet");
        String key = makeToken(tmp, token, "evil");
        Path out = tmp.resolve("deep/out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> LegacyFernetRestore.restore(token, key,
                "AITHER_MASTER_KEY", out, false));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertFalse(Files.exists(tmp.resolve("deep/escape.txt")));
    }

    @Test
    void aFullDiskIsTheDestinationsFaultNotADamagedArchive() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("vault"));
        byte[] incompressible = new byte[2 << 20];
        new java.util.Random(7).nextBytes(incompressible);
        Files.write(src.resolve("big.bin"), incompressible);
        Path token = tmp.resolve("backup.fernet");
        String key = makeToken(src, token, "tree");

        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small-disk"), 1 << 20)) {
            FiresafeException e = assertThrows(FiresafeException.class, () -> LegacyFernetRestore.restore(token, key,
                    "AITHER_MASTER_KEY", disk.root().resolve("out"), false));
            assertEquals(ExitCode.DESTINATION, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertFalse(e.getMessage().contains("damaged"), e.getMessage());
        }
    }
}
