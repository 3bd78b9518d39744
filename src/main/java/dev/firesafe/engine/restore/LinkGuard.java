package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;

import java.util.HashSet;
import java.util.Set;

/**
 * Refuses an entry below a symbolic link entry of the same archive, and a symbolic link entry where earlier entries
 * made a folder: either way extraction would write through the link. Firesafe never follows links when it backs
 * up, so only a crafted archive has either.
 */
final class LinkGuard {

    private final Set<String> links = new HashSet<>();
    /** Every parent folder of an entry seen so far. */
    private final Set<String> folders = new HashSet<>();

    /**
     * Checks the next entry. Parents are checked from the nearest up, stopping at the first one already in
     * {@code folders}: its own parents were checked when it was added, and no link may take a folder's name later
     * (the second rule), so a typical entry costs one lookup instead of one per level.
     */
    void check(String name, boolean isLink) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            String parent = name.substring(0, slash);
            if (folders.contains(parent)) {
                break;
            }
            if (links.contains(parent)) {
                throw FiresafeException.integrity("unsafe archive: '" + ArchivePaths.printable(name)
                        + "' lies under the symbolic link '" + ArchivePaths.printable(parent) + "' of the archive");
            }
            folders.add(parent);
        }
        if (isLink) {
            if (folders.contains(name)) {
                throw FiresafeException.integrity("unsafe archive: symbolic link '" + ArchivePaths.printable(name)
                        + "' would replace a folder that holds other entries");
            }
            links.add(name);
        }
    }
}
