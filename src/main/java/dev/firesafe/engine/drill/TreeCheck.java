package dev.firesafe.engine.drill;

import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compares a restored folder with the backup's manifest, reading the files back from disk: every entry present
 * with its kind, size and SHA-256, and nothing else. Restore already checks the bytes as they stream by; this
 * second look proves what actually landed on disk is what was backed up (a full disk, a file system that drops
 * or mangles names, a restore bug would all show here).
 */
final class TreeCheck {

    private TreeCheck() {
    }

    /** Every difference, one line each, naming the file; empty when the tree matches. */
    static List<String> differences(Path root, Manifest manifest) throws IOException {
        // What was restored, by the name the manifest shows: a name that is not UTF-8 is restored with its exact
        // bytes and listed spelled out, so the tree is read and named the same way (archive.FileNames).
        // Two restored paths that read the same (raw 0xFF and a real "\uFFFDFF", or a clash of cut long names)
        // would hide one another here: a backup never restores both, so that is a difference of its own.
        Map<String, Path> restored = new HashMap<>();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.equals(root)).forEach(p -> {
                String shown = FileNames.relative(root, p).text();
                if (restored.put(shown, p) != null) {
                    problems.add(shown + ": restored more than once, under names with different bytes");
                }
            });
        }
        Set<String> expected = new HashSet<>();
        byte[] buffer = new byte[1 << 16];
        for (Manifest.Entry e : manifest.entries) {
            expected.add(e.path());
            Path p = restored.getOrDefault(e.path(), FileNames.resolve(root, e.path()));
            switch (e.type()) {
                case Manifest.Entry.DIR -> {
                    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        problems.add(e.path() + ": folder missing after restore");
                    }
                }
                case Manifest.Entry.SYMLINK -> {
                    if (!Files.isSymbolicLink(p)) {
                        problems.add(e.path() + ": symbolic link missing after restore");
                    } else if (!sameLink(FileNames.text(Files.readSymbolicLink(p)).text(), e.target())) {
                        problems.add(e.path() + ": symbolic link points elsewhere than in the manifest");
                    }
                }
                default -> checkFile(e, p, buffer, problems); // file or stream
            }
        }
        Set<String> parents = new HashSet<>(); // folders the archive does not list but its entries lie in
        for (String path : expected) {
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                parents.add(path.substring(0, slash));
            }
        }
        restored.keySet().stream().filter(rel -> !expected.contains(rel) && !parents.contains(rel)).sorted()
                .forEach(rel -> problems.add(rel + ": restored but not in the manifest"));
        problems.sort(null);
        return problems;
    }

    /**
     * Link targets as text, equal up to doubled and trailing slashes: Java writes "d/" or "a//b" as "d" or "a/b"
     * when it creates a link, which is the same link.
     */
    private static boolean sameLink(String restored, String inManifest) {
        return slashesTidied(restored).equals(slashesTidied(inManifest));
    }

    private static String slashesTidied(String target) {
        String t = target.replaceAll("/{2,}", "/");
        return t.length() > 1 && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }

    private static void checkFile(Manifest.Entry e, Path p, byte[] buffer, List<String> problems) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(e.path() + ": file missing after restore");
            return;
        }
        try {
            long size = Files.size(p);
            if (e.size() != null && size != e.size()) {
                problems.add(e.path() + ": restored size " + size + " bytes, manifest says " + e.size());
                return;
            }
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(p)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                }
            }
            if (!HexFormat.of().formatHex(sha256.digest()).equals(e.sha256())) {
                problems.add(e.path() + ": restored content does not match the manifest's SHA-256");
            }
        } catch (IOException ex) {
            problems.add(e.path() + ": cannot read the restored file: " + ex.getClass().getSimpleName());
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
