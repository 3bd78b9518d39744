package dev.firesafe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds trees with every kind of entry a backup must keep, and describes trees for exact comparison. */
public final class Trees {
    private Trees() {
    }

    /** A tree with every entry kind Firesafe promises to keep. Returns {@code root}. */
    public static Path everyKind(Path root) throws IOException {
        Files.createDirectories(root);
        Random random = new Random(42);
        write(root.resolve("hello.txt"), "hello\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        write(root.resolve("empty-file"), new byte[0], "rw-------");
        byte[] binary = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(binary);
        write(root.resolve("sub/deeper/binary.bin"), binary, "rw-r-----");
        write(root.resolve("sub/script.sh"), "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        write(root.resolve("sub/read-only.txt"), "do not touch\n".getBytes(StandardCharsets.UTF_8), "r--r--r--");
        String longName = "d".repeat(120) + "/" + "f".repeat(200) + ".txt";
        write(root.resolve(longName), "long name\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        write(root.resolve("ünïcödé/日本語ファイル.txt"), "unicode\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        write(root.resolve("with space & 'quotes'.txt"), "spaces\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        // Legal POSIX names that other systems or shells read as syntax.
        for (String odd : List.of("back\\slash.txt", "c:drive-like", "new\nline", " leading and trailing space ",
                "-dash", "%41 percent", "*?[glob].txt", "tab\tname", "..\\not-a-parent")) {
            write(root.resolve("odd").resolve(odd), odd.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        }
        Files.createSymbolicLink(root.resolve("odd/link\\to\\back\\slash"), Path.of("back\\slash.txt"));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.createDirectories(root.resolve("private-dir"));
        Files.setPosixFilePermissions(root.resolve("private-dir"), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(root.resolve("link-to-hello"), Path.of("hello.txt"));
        Files.createSymbolicLink(root.resolve("sub/link-up"), Path.of("../hello.txt"));
        Files.createSymbolicLink(root.resolve("dangling-link"), Path.of("does/not/exist"));
        Files.createSymbolicLink(root.resolve("link-outside"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(root.resolve("link-to-dir"), Path.of("sub"));
        Files.setLastModifiedTime(root.resolve("hello.txt"), FileTime.fromMillis(1_000_000_000_000L));
        Files.setLastModifiedTime(root.resolve("sub/deeper"), FileTime.fromMillis(1_100_000_000_000L));
        return root;
    }

    /** How many regular files lie under {@code root} (what a backup reports as its file count). */
    public static long regularFiles(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }

    public static void write(Path file, byte[] content, String perms) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    }

    /**
     * Every entry under {@code root} as "type mode mtime-seconds content-or-target", keyed by relative path: two
     * trees are equal for Firesafe's promises exactly when their descriptions are equal.
     */
    public static TreeMap<String, String> describe(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                    continue;
                }
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                        LinkOption.NOFOLLOW_LINKS));
                long mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000;
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + perms + " " + mtime);
                } else {
                    out.put(rel, "file " + perms + " " + mtime + " " + sha256(p));
                }
            }
        }
        return out;
    }

    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
