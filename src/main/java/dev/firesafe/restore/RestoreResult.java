package dev.firesafe.restore;

import java.util.List;

/** What a verify or restore found: the backup, how much it held, how long it took. */
public record RestoreResult(String id, String plan, String host, String created, long files, long bytes,
                            long durationMs, String destination, List<String> warnings) {
}
