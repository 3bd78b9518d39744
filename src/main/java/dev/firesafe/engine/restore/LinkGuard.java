package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Refuses an entry below a symbolic link entry of the same archive, and a symbolic link entry where earlier entries
 * made a folder: either way extraction would write through the link. Firesafe never follows links when it backs
 * up, so only a crafted archive has either. Likewise an entry below a file of the archive, and a file where
 * earlier entries made a folder: no restore could write both, so verify refuses them too (issue #18: it passed
 * them, and the restore then failed blaming the destination).
 */
final class LinkGuard {

    private final Set<String> links = new HashSet<>();
    /** Every parent folder of an entry seen so far. */
    private final Set<String> folders = new HashSet<>();
    /** Whether an entry of this name that is not a folder was seen (a file, a stream, a link). */
    private final Predicate<String> seenAsNonFolder;

    /** For a reader that checks "below a file" itself. */
    LinkGuard() {
        this(name -> false);
    }

    LinkGuard(Predicate<String> seenAsNonFolder) {
        this.seenAsNonFolder = seenAsNonFolder;
    }

    /**
     * Checks the next entry. Parents are checked from the nearest up, stopping at the first one already in
     * {@code folders}: its own parents were checked when it was added, and no link or file may take a folder's name
     * later (the second rule), so a typical entry costs one lookup instead of one per level.
     */
    void check(String name, boolean isLink, boolean isFolder) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            String parent = name.substring(0, slash);
            if (folders.contains(parent)) {
                break;
            }
            if (links.contains(parent)) {
                throw FiresafeException.integrity("unsafe archive: '" + ArchivePaths.printable(name)
                        + "' lies under the symbolic link '" + ArchivePaths.printable(parent) + "' of the archive");
            }
            if (seenAsNonFolder.test(parent)) {
                throw FiresafeException.integrity("damaged archive: '" + ArchivePaths.printable(name)
                        + "' lies below its file '" + ArchivePaths.printable(parent) + "'; no restore could write "
                        + "both (damaged, or not made by Firesafe)");
            }
            folders.add(parent);
        }
        if (isLink) {
            if (folders.contains(name)) {
                throw FiresafeException.integrity("unsafe archive: symbolic link '" + ArchivePaths.printable(name)
                        + "' would replace a folder that holds other entries");
            }
            links.add(name);
        } else if (!isFolder && folders.contains(name)) {
            throw FiresafeException.integrity("damaged archive: file '" + ArchivePaths.printable(name)
                    + "' has the name of a folder that holds earlier entries; no restore could write both "
                    + "(damaged, or not made by Firesafe)");
        }
    }
}
