package dev.firesafe.host.wal;

import dev.firesafe.postgres.WalReceiver;

import java.time.Instant;
import java.util.List;

/**
 * What a function's server said at the last look: its replication slots and, in {@code archive-command} mode,
 * its archiver. {@code error} is set (and the rest empty) when the server could not be asked.
 */
record ServerWatch(Instant at, List<WalReceiver.Slot> slots, WalReceiver.Archiver archiver, String error) {

    static final ServerWatch NONE = new ServerWatch(null, List.of(), null, null);

    /** Slots Firesafe made ({@code firesafe_*}) that no function of this host streams from: left behind. */
    List<WalReceiver.Slot> leftBehind(java.util.Set<String> slotsInUse) {
        return slots.stream().filter(s -> s.name().startsWith("firesafe_") && !s.active()
                && !slotsInUse.contains(s.name())).toList();
    }
}
