package dev.firesafe.crypto;

import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ContentKeyTest {

    @TempDir
    Path tmp;

    private static byte[] id(ContentKey key, String content) {
        return key.newMac().doFinal(content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theMasterKeysContentKeyIsStableAndChangesWithRotation() {
        MasterKey master = MasterKey.generate(65536);
        MasterKey sameKeyReadBack = MasterKey.parse(master.toEscrowText(), "test");
        assertArrayEquals(id(master.contentKey(), "data"), id(sameKeyReadBack.contentKey(), "data"));
        assertFalse(java.util.Arrays.equals(id(master.contentKey(), "data"), id(master.rotate(65536).contentKey(),
                "data")), "a rotated key names content afresh");
        assertFalse(java.util.Arrays.equals(id(master.contentKey(), "data"),
                id(MasterKey.generate(65536).contentKey(), "data")));
    }

    @Test
    void derivedMaterialIsIndependentOfTheIds() {
        ContentKey key = ContentKey.generate();
        assertNotEquals(java.util.HexFormat.of().formatHex(key.derive("gear", 32)),
                java.util.HexFormat.of().formatHex(key.derive("other", 32)));
        assertEquals(32, key.derive("gear", 32).length);
    }

    @Test
    void aWriteOnlyHostMakesItsContentKeyOnceOwnerOnly() throws IOException {
        RecoveryKey recovery = RecoveryKey.generate();
        Path file = tmp.resolve("keys/content.key");
        KeySource keys = Fixtures.services(Map.of("firesafe.public-key", recovery.publicKey().toText(),
                "firesafe.content-key-file", file.toString(),
                "firesafe.default-key-file", tmp.resolve("none").toString())).keys();
        ContentKey first = keys.contentKey();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(first, keys.contentKey(), "read back, not made again");
    }
}
