package dev.firesafe.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest's JSON is what earlier versions wrote and read with Jackson, both ways. */
class ManifestTest {

    /** How Firesafe up to 2026-11-25 wrote and read manifests. */
    private static final ObjectMapper EARLIER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static Manifest everything() {
        Manifest m = new Manifest();
        m.backupId = "20261125T023000.000Z-0a1b2c3d";
        m.plan = "vault";
        m.host = "höst \"quoted\" \\ back";
        m.started = "2026-11-25T02:30:00Z";
        m.finished = "2026-11-25T02:31:00.123456789Z";
        m.firesafeVersion = "1.0.0";
        m.compression = "zstd";
        m.sources.add(new Manifest.SourceRoot("data", "/srv/data"));
        m.sources.add(new Manifest.SourceRoot("日本語", "/srv/日本語"));
        m.entries.add(new Manifest.Entry("data", Manifest.Entry.DIR, null, "0755", "2026-11-25T01:00:00Z", null,
                null));
        m.entries.add(new Manifest.Entry("data/big.bin", Manifest.Entry.FILE, 5_000_000_000L, "0640",
                "2026-11-25T01:00:00.5Z", "ab".repeat(32), null));
        m.entries.add(new Manifest.Entry("data/link", Manifest.Entry.SYMLINK, null, null, "2026-11-25T01:00:00Z",
                null, "../elsewhere"));
        m.entries.add(new Manifest.Entry("db/all.sql", Manifest.Entry.STREAM, 42L, "0600", "2026-11-25T01:00:00Z",
                "cd".repeat(32), null, 3));
        m.warnings.add(new Manifest.Warning("data/log", "changed while being read;\tsee\nthis"));
        m.files = 2;
        m.bytes = 5_000_000_042L;
        return m;
    }

    @Test
    void writesTheTextEarlierVersionsWrote() throws IOException {
        Manifest m = everything();
        assertEquals(EARLIER.writeValueAsString(m), new String(m.toJson(), StandardCharsets.UTF_8));
        Manifest empty = new Manifest();
        assertEquals(EARLIER.writeValueAsString(empty), new String(empty.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void readsWhatEarlierVersionsWrote() throws IOException {
        Manifest m = everything();
        Manifest read = Manifest.fromJson(EARLIER.writeValueAsBytes(m));
        assertEquals(EARLIER.writeValueAsString(m), EARLIER.writeValueAsString(read));
        assertEquals(m.entries, read.entries);
        assertEquals(m.sources, read.sources);
        assertEquals(m.warnings, read.warnings);
    }

    /**
     * Control characters in names: Parsson escapes them in lower-case hex where Jackson wrote upper case. The
     * JSON is the same, both ways.
     */
    @Test
    void controlCharactersInNamesSurviveBothWays() throws IOException {
        Manifest m = everything();
        m.entries.add(new Manifest.Entry("data/\u001b[31mred\u001f\u0000", Manifest.Entry.FILE, 1L, "0644",
                "2026-11-25T01:00:00Z", "ef".repeat(32), null));
        Manifest viaEarlier = EARLIER.readValue(m.toJson(), Manifest.class);
        assertEquals(EARLIER.writeValueAsString(m), EARLIER.writeValueAsString(viaEarlier));
        Manifest read = Manifest.fromJson(EARLIER.writeValueAsBytes(m));
        assertEquals(m.entries, read.entries);
    }

    @Test
    void ignoresNamesItDoesNotKnowAndRefusesWrongTypes() throws IOException {
        Manifest read = Manifest.fromJson(("{\"format\":1,\"plan\":\"p\",\"later\":{\"x\":[1,{\"y\":[]}]},\"n\":null,"
                + "\"entries\":[{\"path\":\"a\",\"type\":\"file\",\"size\":3,\"new\":true}],\"files\":1}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("p", read.plan);
        assertEquals(List.of(new Manifest.Entry("a", "file", 3L, null, null, null, null)), read.entries);
        assertEquals(1, read.files);

        for (String bad : List.of("{\"files\":\"many\"}", "{\"entries\":{}}", "{\"plan\":7}", "[1]", "{\"entries\":[",
                "{\"entries\":[{\"size\":1.5}]}", "{\"format\":4294967297}", "{\"entries\":[{\"parts\":4294967297}]}",
                "{\"files\":1" + "0".repeat(2000) + "}", "{\"entries\":[7]}", "", "{\"plan\":\"p\"")) {
            IOException e = assertThrows(IOException.class, () -> Manifest.fromJson(
                    bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertTrue(e.getMessage().startsWith("manifest is not valid"), e.getMessage());
        }
    }
}
