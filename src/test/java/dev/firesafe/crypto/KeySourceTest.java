package dev.firesafe.crypto;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeySourceTest {

    @TempDir
    Path tmp;

    /**
     * {@code keygen --rotate > master.key} empties the file before keygen reads it (issue #19). The error said the
     * file "holds only recovery keys", which sent the user looking for the wrong problem.
     */
    @Test
    void anEmptyKeyFileIsCalledEmpty() throws IOException {
        Path keyFile = Files.writeString(tmp.resolve("master.key"), "");
        for (Map<String, String> values : java.util.List.of(Map.of("firesafe.default-key-file", keyFile.toString()),
                Map.of("firesafe.master-key-file", keyFile.toString(), "firesafe.default-key-file",
                        tmp.resolve("none").toString()))) {
            KeySource keys = new KeySource(Fixtures.config(values));
            for (Runnable use : java.util.List.<Runnable>of(keys::requireMaster, keys::forReading, keys::forBackup)) {
                FiresafeException e = assertThrows(FiresafeException.class, use::run);
                assertEquals(ExitCode.KEY, e.exitCode());
                assertTrue(e.getMessage().contains(keyFile.toString())
                        && e.getMessage().contains(" is empty: it holds no key")
                        && e.getMessage().contains("escrowed copy"), e.getMessage());
                assertFalse(e.getMessage().contains("recovery keys"), e.getMessage());
            }
        }
    }
}
