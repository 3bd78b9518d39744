package dev.firesafe.store.github;

import dev.firesafe.core.StoreIOException;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The index file ({@value #FILE} under the target's PATH): the committed backups and the repository files that
 * hold them. It is written last, so a backup whose files were uploaded but whose entry is missing is invisible,
 * which gives the Target contract's commit semantics on a store that has no atomic rename. Archive parts are
 * listed with size and SHA-256 so a restore checks the reassembly before decrypting anything.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record BackupIndex(int format, List<Entry> backups) {

    static final String FILE = "firesafe-index.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One committed backup: its target name, total size and the files holding it, in order. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(String name, long size, List<Part> parts) {
    }

    /** A repository file (relative to PATH), its size, SHA-256 and git blob sha (which a delete must send). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Part(String file, long size, String sha256, String blob) {
    }

    static BackupIndex empty() {
        return new BackupIndex(FORMAT, List.of());
    }

    static BackupIndex parse(byte[] json, String where) throws IOException {
        BackupIndex index;
        try {
            index = JSON.readValue(json, BackupIndex.class);
        } catch (IOException e) {
            throw new dev.firesafe.core.StoreIOException(where + " is not a Firesafe index (" + FILE + ")", e);
        }
        if (index.format != FORMAT || index.backups == null) {
            throw new dev.firesafe.core.StoreIOException(where + " has index format " + index.format
                    + ", this Firesafe reads format " + FORMAT, null);
        }
        return index;
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("index not serializable", e);
        }
    }

    Optional<Entry> find(String name) {
        return backups.stream().filter(e -> e.name.equals(name)).findFirst();
    }

    BackupIndex with(Entry entry) {
        List<Entry> all = new ArrayList<>(backups);
        all.add(entry);
        return new BackupIndex(FORMAT, List.copyOf(all));
    }

    BackupIndex without(String name) {
        return new BackupIndex(FORMAT, backups.stream().filter(e -> !e.name.equals(name)).toList());
    }
}
