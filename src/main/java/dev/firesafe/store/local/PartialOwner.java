package dev.firesafe.store.local;

import dev.firesafe.io.HostName;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who writes a partial upload in a local target, so that what a dead process left (kill -9, OOM, power cut) is
 * swept and what a running backup writes never is (issue #19: a 441 MB partial stayed for 6 hours, and no rule
 * said whose it was).
 *
 * <p>Before it creates {@code .NAME.partial}, the writer creates {@code .NAME.partial-owner}, takes an OS lock on
 * it and writes its machine (the kernel's boot id, and the host name) and pid into it; it keeps the lock until the
 * upload is committed or aborted, then removes both. The kernel drops the lock when the process dies, however it
 * dies. A sweeper that gets the lock of a partial written on this same machine (same boot id: same kernel, which
 * is what holds the lock, so this also covers containers sharing the host's volume) therefore knows its writer is
 * gone and removes it at once. A partial written on another machine (a shared NFS or SMB folder, where locks may
 * be local to each client) or by a Firesafe without owner files, or one on a file system without locks, is removed
 * only when it has not changed for {@link LocalStore#STALE_PARTIAL}, and never while another process holds its
 * lock. This process's own uploads are never opened by its sweeper: closing any descriptor of a locked file drops
 * the process's lock on it (POSIX), so they are recognised by name instead.
 */
final class PartialOwner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PartialOwner.class);
    static final String SUFFIX = "-owner";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /** The owner files of the uploads this process is writing. */
    private static final Set<Path> OURS = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;

    private PartialOwner(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static Path ownerFile(Path partial) {
        return partial.resolveSibling(partial.getFileName() + SUFFIX);
    }

    /**
     * Claims {@code partial}, which does not exist yet. Null where the file system offers no locks: that upload
     * is then protected by the age rule alone, as before owner files existed.
     */
    static PartialOwner claim(Path partial) throws IOException {
        Path file = ownerFile(partial);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        OURS.add(file);
        FileLock lock;
        try {
            // Waits, not tries: another process can hold this new file's lock only for a moment, a sweeper
            // reading it (which leaves an owner file alone until its text names a writer that is gone).
            lock = channel.lock();
        } catch (IOException | UnsupportedOperationException e) {
            lock = null;
        }
        if (lock == null) {
            LOG.debugf("no file lock for %s: its partial upload is swept by age only", file);
            remove(file, channel);
            return null;
        }
        try {
            ByteBuffer text = ByteBuffer.wrap(("# the Firesafe process writing " + partial.getFileName()
                    + "; it holds a lock on this file while it runs\nboot=" + bootId() + "\nhost="
                    + HostName.current() + "\npid=" + ProcessHandle.current().pid() + "\nstarted=" + Instant.now()
                    + "\n").getBytes(StandardCharsets.UTF_8));
            while (text.hasRemaining()) {
                channel.write(text);
            }
        } catch (IOException e) {
            remove(file, channel);
            throw e;
        }
        return new PartialOwner(file, channel);
    }

    /** Removes the owner file and then lets go of its lock; the partial itself is gone (or published) by now. */
    @Override
    public void close() {
        remove(file, channel);
    }

    private static void remove(Path file, FileChannel channel) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debugf("could not remove %s: %s", file, e.getMessage());
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing releases the lock; the file is gone already
        } finally {
            OURS.remove(file);
        }
    }

    /**
     * Removes the partial uploads in {@code dir} whose writers are gone (rules above), and owner files left
     * without a partial; returns the file names of the partials removed.
     */
    static List<String> sweep(Path dir, String partialSuffix, Duration staleAge, Instant now) {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, ".*" + partialSuffix)) {
            for (Path partial : partials) {
                String why = sweepOne(partial, staleAge, now);
                if (why != null) {
                    removed.add(partial.getFileName().toString());
                    LOG.infof("removed the partial upload %s in %s: %s", partial.getFileName(), dir, why);
                }
            }
        } catch (IOException e) {
            LOG.debugf("could not clean partial uploads in %s: %s", dir, e.getMessage());
        }
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(dir, ".*" + partialSuffix + SUFFIX)) {
            for (Path owner : owners) {
                Path partial = owner.resolveSibling(owner.getFileName().toString()
                        .substring(0, owner.getFileName().toString().length() - SUFFIX.length()));
                if (!Files.exists(partial) && !OURS.contains(owner)) {
                    // A writer removes its partial before its owner file; one killed in between left this. But a
                    // writer also makes its owner file before it locks it and before its partial exists: an owner
                    // file that does not yet name a gone writer of this machine is left to the age rule.
                    Locked deleteIfGone = text -> {
                        Properties p = new Properties();
                        p.load(new java.io.StringReader(text));
                        if (sameMachine(p) || stale(owner, staleAge, now) != null) {
                            Files.deleteIfExists(owner);
                        }
                        return null;
                    };
                    withLock(owner, deleteIfGone, text -> null);
                }
            }
        } catch (IOException e) {
            LOG.debugf("could not clean owner files in %s: %s", dir, e.getMessage());
        }
        return removed;
    }

    /** Removes {@code partial} if its writer is gone; returns why, or null if it stays. */
    private static String sweepOne(Path partial, Duration staleAge, Instant now) throws IOException {
        Path owner = ownerFile(partial);
        if (OURS.contains(owner)) {
            return null; // this process is writing it
        }
        Locked removeIfGone = text -> {
            Properties p = new Properties();
            p.load(new java.io.StringReader(text));
            String reason = sameMachine(p) ? "it was written by process " + p.getProperty("pid")
                    + " on this machine, which is gone" : stale(partial, staleAge, now);
            if (reason != null) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(owner);
            }
            return reason;
        };
        Locked byAge = text -> {
            String reason = stale(partial, staleAge, now);
            if (reason != null) {
                Files.deleteIfExists(partial);
            }
            return reason;
        };
        // no owner file (another Firesafe, a file system without locks): the age rule, as before owner files
        return Files.exists(owner) ? withLock(owner, removeIfGone, byAge) : byAge.apply("");
    }

    /** The age rule: unchanged for {@code staleAge}. */
    private static String stale(Path partial, Duration staleAge, Instant now) throws IOException {
        try {
            Instant modified = Files.getLastModifiedTime(partial).toInstant();
            return modified.isBefore(now.minus(staleAge)) ? "unchanged since " + modified + " (more than "
                    + staleAge.toHours() + " h), and no running process holds it" : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private interface Locked {
        String apply(String ownerText) throws IOException;
    }

    /**
     * Runs {@code action} holding the lock of {@code owner}, with the text the file holds. Null without running
     * anything when another process holds the lock (its writer is alive) or the file is gone; {@code unlockable}
     * (without the text) where this file system cannot lock it.
     */
    private static String withLock(Path owner, Locked action, Locked unlockable) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(owner, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try (channel) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return null; // held in this very process, by a writer OURS does not know (cannot happen)
            } catch (IOException | UnsupportedOperationException e) {
                return unlockable.apply("");
            }
            if (lock == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // an owner file is a few short lines
            }
            return action.apply(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
    }

    /** Same kernel, so its lock would be held if its writer were alive: same boot id (else same host name). */
    private static boolean sameMachine(Properties owner) {
        String boot = bootId();
        String theirs = owner.getProperty("boot", "");
        if (!boot.isEmpty() && !theirs.isEmpty()) {
            return boot.equals(theirs);
        }
        return boot.isEmpty() && theirs.isEmpty() && HostName.current().equals(owner.getProperty("host"));
    }

    private static String bootId() {
        try {
            return Files.readString(BOOT_ID, StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
