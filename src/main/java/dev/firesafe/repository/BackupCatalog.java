package dev.firesafe.repository;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The backups kept on one target: objects named {@code PLAN/ID.firesafe}. Anything else there (partial uploads,
 * files of other tools) is ignored.
 */
public final class BackupCatalog {

    public static final String SUFFIX = ".firesafe";
    /**
     * Marks a backup that retention removed while later backups still need its object (their chunks are in it):
     * {@code PLAN/ID.removed}, empty. The backup is gone from every listing; its object stays until nothing needs
     * it (engine.retention.PruneService).
     */
    public static final String REMOVED_SUFFIX = ".removed";

    /** One backup on a target. */
    public record Ref(String plan, String id, String objectName, long size) {
    }

    private BackupCatalog() {
    }

    public static String objectName(String plan, String id) {
        return plan + "/" + id + SUFFIX;
    }

    /** Every backup on {@code target}, oldest first; {@code plan} null means all plans. Removed ones are not. */
    public static List<Ref> list(Store target, String plan) throws IOException {
        return listing(target, plan).backups();
    }

    /**
     * What a store holds of a plan ({@code null}: all plans): the backups, and the objects of removed backups that
     * later ones still need (marked {@link #REMOVED_SUFFIX}), each oldest first.
     */
    public record Listing(List<Ref> backups, List<Ref> removed) {
        /** Every backup object, removed or not: where chunks are looked for. */
        public List<Ref> objects() {
            List<Ref> all = new java.util.ArrayList<>(backups);
            all.addAll(removed);
            return all;
        }
    }

    public static Listing listing(Store target, String plan) throws IOException {
        List<Store.StoredObject> objects = target.list(plan == null ? "" : plan + "/");
        java.util.Set<String> removedMarks = new java.util.HashSet<>();
        for (Store.StoredObject o : objects) {
            if (o.name().endsWith(REMOVED_SUFFIX)) {
                removedMarks.add(o.name().substring(0, o.name().length() - REMOVED_SUFFIX.length()) + SUFFIX);
            }
        }
        List<Ref> backups = new java.util.ArrayList<>();
        List<Ref> removed = new java.util.ArrayList<>();
        objects.stream().map(BackupCatalog::parse).flatMap(Optional::stream)
                .filter(r -> plan == null || r.plan.equals(plan))
                .sorted(Comparator.comparing(Ref::id).thenComparing(Ref::plan))
                .forEach(r -> (removedMarks.contains(r.objectName()) ? removed : backups).add(r));
        return new Listing(List.copyOf(backups), List.copyOf(removed));
    }

    /** The name of the mark that says backup {@code id} of {@code plan} was removed. */
    public static String removedMark(String plan, String id) {
        return plan + "/" + id + REMOVED_SUFFIX;
    }

    /** Whether {@code name} is one a backup is written under: what a target may clean up after a killed run. */
    public static boolean isBackupName(String name) {
        return parse(new Store.StoredObject(name, 0)).isPresent();
    }

    private static Optional<Ref> parse(Store.StoredObject o) {
        String name = o.name();
        int slash = name.indexOf('/');
        if (slash <= 0 || slash != name.lastIndexOf('/') || !name.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String id = name.substring(slash + 1, name.length() - SUFFIX.length());
        if (!BackupId.isValid(id)) {
            return Optional.empty();
        }
        return Optional.of(new Ref(name.substring(0, slash), id, name, o.size()));
    }

    /**
     * The plaintext header of a backup (no key needed): its key mode and key id, for listings. Reads only the
     * first bytes of the file.
     */
    public static dev.firesafe.crypto.BackupHeader header(Store target, Ref ref) throws IOException {
        // a range, not the whole object: on S3 or GitHub the rest would be fetched (or a part downloaded) for nothing
        try (java.io.InputStream in = target.open(ref.objectName(), 0, HEADER_RANGE)) {
            return dev.firesafe.crypto.BackupHeader.read(in, "backup " + ref.id()).header();
        }
    }

    /** Enough bytes for any header: its fixed part and JSON of at most 64 KiB. */
    private static final long HEADER_RANGE = 13 + 64 * 1024;

    /** Resolves {@code latest} (newest of {@code plan}, or of all plans) or an exact id. */
    public static Ref resolve(Store target, String idOrLatest, String plan) throws IOException {
        List<Ref> all = list(target, plan);
        if (idOrLatest == null || idOrLatest.equals("latest")) {
            if (all.isEmpty()) {
                throw new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "no backups"
                        + (plan == null ? "" : " of plan '" + plan + "'") + " in " + target.describe());
            }
            return all.get(all.size() - 1);
        }
        return all.stream().filter(r -> r.id.equals(idOrLatest)).findFirst()
                .orElseThrow(() -> new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "no backup with id "
                        + idOrLatest + " in " + target.describe() + " (see 'list')"));
    }
}
