package dev.firesafe.engine.walstream;

import dev.firesafe.repository.wal.WalArchive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link WalShipping} onto the plan's WAL archive ({@link WalArchive}) on each of its targets. A file counts as
 * shipped once every target holds it (the archive's push is idempotent, so a target that already took it answers
 * at once next time); a target that failed is opened again before the next attempt, so a store whose connection
 * broke does not stay broken.
 */
public final class ArchiveShipping implements WalShipping {

    private final List<Supplier<WalArchive>> openers;
    private final List<WalArchive> open = new ArrayList<>();

    /** {@code openers}: one per target, each opening that target's archive for pushing. */
    public ArchiveShipping(List<Supplier<WalArchive>> openers) {
        this.openers = List.copyOf(openers);
        openers.forEach(o -> open.add(null));
    }

    private interface Action {
        void on(WalArchive archive) throws IOException;
    }

    private synchronized void each(Action action) throws IOException {
        for (int i = 0; i < openers.size(); i++) {
            WalArchive a = open.get(i);
            if (a == null) {
                a = openers.get(i).get();
                open.set(i, a);
            }
            try {
                action.on(a);
            } catch (IOException | RuntimeException e) {
                open.set(i, null);
                a.store().close();
                throw e;
            }
        }
    }

    @Override
    public void push(String name, Path file) throws IOException {
        each(a -> a.push(name, file));
    }

    @Override
    public void pushPartial(String segment, Path file) throws IOException {
        each(a -> a.pushPartial(segment, file));
    }

    @Override
    public void removeSuperseded() throws IOException {
        each(a -> a.removeSuperseded(a.list()));
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < open.size(); i++) {
            if (open.get(i) != null) {
                open.get(i).store().close();
                open.set(i, null);
            }
        }
    }
}
