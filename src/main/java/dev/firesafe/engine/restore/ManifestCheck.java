package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Manifest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest at the end of an archive, and the check of what the archive held against it. What was seen is
 * kept as one key per entry: a file's SHA-256, a link's target, a stream's size, parts and SHA-256, or "dir".
 */
final class ManifestCheck {

    private static final int MAX_MANIFEST = 256 * 1024 * 1024;
    private static final int MAX_SHOWN = 20;

    private ManifestCheck() {
    }

    /** The key a streamed entry is compared by: its content alone would not catch a lost or doubled part. */
    static String streamKey(long size, int parts, String sha256) {
        return Manifest.Entry.STREAM + ":" + size + ":" + parts + ":" + sha256;
    }

    static String symlinkKey(String target) {
        return Manifest.Entry.SYMLINK + ":" + target;
    }

    static Manifest read(InputStream in, TarArchiveEntry e) throws IOException {
        if (e.getSize() > MAX_MANIFEST) {
            throw FiresafeException.integrity("archive manifest is implausibly large");
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream((int) e.getSize());
        in.transferTo(json);
        try {
            return Manifest.fromJson(json.toByteArray());
        } catch (IOException ex) {
            throw FiresafeException.integrity("archive manifest is damaged (not valid JSON)");
        }
    }

    /** Every difference between the manifest and the archive, named; an integrity error if there is any. */
    static void compare(Manifest manifest, Map<String, String> seen) {
        Map<String, String> expected = new HashMap<>();
        for (Manifest.Entry entry : manifest.entries) {
            expected.put(entry.path(), switch (entry.type()) {
                case Manifest.Entry.FILE -> entry.sha256();
                case Manifest.Entry.SYMLINK -> symlinkKey(entry.target());
                case Manifest.Entry.STREAM -> streamKey(entry.size() == null ? -1 : entry.size(),
                        entry.parts() == null ? -1 : entry.parts(), entry.sha256());
                default -> Manifest.Entry.DIR;
            });
        }
        List<String> problems = new ArrayList<>();
        expected.forEach((path, want) -> {
            String got = seen.get(path);
            if (got == null) {
                problems.add(path + ": listed in the manifest but missing from the archive");
            } else if (!got.equals(want)) {
                problems.add(path + (want.startsWith(Manifest.Entry.STREAM + ":")
                        ? ": streamed content (size, parts or SHA-256) does not match the manifest"
                        : ": content does not match the manifest's SHA-256"));
            }
        });
        seen.keySet().stream().filter(p -> !expected.containsKey(p))
                .forEach(p -> problems.add(p + ": in the archive but not in the manifest"));
        if (!problems.isEmpty()) {
            problems.sort(null);
            int shown = Math.min(problems.size(), MAX_SHOWN);
            throw FiresafeException.integrity(problems.size() + " file(s) differ from the manifest:\n  "
                    + String.join("\n  ", problems.subList(0, shown))
                    + (problems.size() > shown ? "\n  ... and " + (problems.size() - shown) + " more" : ""));
        }
    }
}
