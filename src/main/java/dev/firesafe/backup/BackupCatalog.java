package dev.firesafe.backup;

import dev.firesafe.FiresafeException;
import dev.firesafe.target.Target;

import java.io.IOException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backups kept on one target: objects named {@code PLAN/ID.firesafe}. Anything else there (partial uploads,
 * files of other tools) is ignored.
 */
public final class BackupCatalog {

    public static final String SUFFIX = ".firesafe";

    /** One backup on a target. */
    public record Ref(String plan, String id, String objectName, long size) {
    }

    private BackupCatalog() {
    }

    public static String objectName(String plan, String id) {
        return plan + "/" + id + SUFFIX;
    }

    /**
     * Stored beside a backup that finished with entries missing (exit code 7), {@code PLAN/ID.firesafe.incomplete},
     * so that {@code list}, which reads no manifest (it needs no key), can mark it (issue #19). It holds only the
     * number of missing entries, never their names: those are in the encrypted manifest, which verify shows.
     */
    public static final String INCOMPLETE_SUFFIX = ".incomplete";

    public static String incompleteMarker(String plan, String id) {
        return objectName(plan, id) + INCOMPLETE_SUFFIX;
    }

    /** The backups of one listing and the ids of those marked incomplete ({@link #INCOMPLETE_SUFFIX}). */
    public record Listing(List<Ref> backups, Set<String> incomplete) {
    }

    /** Every backup on {@code target}, oldest first; {@code plan} null means all plans. */
    public static List<Ref> list(Target target, String plan) throws IOException {
        return listMarked(target, plan).backups();
    }

    /** As {@link #list}, with the incomplete marks, from the same single listing. */
    public static Listing listMarked(Target target, String plan) throws IOException {
        List<Target.StoredObject> objects = target.list(plan == null ? "" : plan + "/");
        List<Ref> refs = objects.stream()
                .map(BackupCatalog::parse)
                .flatMap(Optional::stream)
                .filter(r -> plan == null || r.plan.equals(plan))
                .sorted(Comparator.comparing(Ref::id).thenComparing(Ref::plan))
                .toList();
        Set<String> marked = new HashSet<>();
        for (Target.StoredObject o : objects) {
            if (o.name().endsWith(SUFFIX + INCOMPLETE_SUFFIX)) {
                marked.add(o.name().substring(0, o.name().length() - INCOMPLETE_SUFFIX.length()));
            }
        }
        Set<String> incomplete = new HashSet<>();
        refs.stream().filter(r -> marked.contains(r.objectName())).forEach(r -> incomplete.add(r.id()));
        return new Listing(refs, Set.copyOf(incomplete));
    }

    /** Whether {@code name} is one a backup is written under: what a target may clean up after a killed run. */
    public static boolean isBackupName(String name) {
        return parse(new Target.StoredObject(name, 0)).isPresent();
    }

    private static Optional<Ref> parse(Target.StoredObject o) {
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
    public static dev.firesafe.crypto.BackupHeader header(Target target, Ref ref) throws IOException {
        try (java.io.InputStream in = target.open(ref.objectName())) {
            return dev.firesafe.crypto.BackupHeader.read(in, "backup " + ref.id()).header();
        }
    }

    /**
     * Resolves {@code latest} (newest of {@code plan}) or an exact id. Without a plan, {@code latest} is the newest
     * backup of the one plan the target holds; where several plans share it, the newest of any of them may be the
     * wrong thing to restore (issue #19: it was), so that is a usage error naming the plans.
     */
    public static Ref resolve(Target target, String idOrLatest, String plan) throws IOException {
        List<Ref> all = list(target, plan);
        if (idOrLatest == null || idOrLatest.equals("latest")) {
            if (all.isEmpty()) {
                throw new FiresafeException(dev.firesafe.ExitCode.TARGET, "no backups"
                        + (plan == null ? "" : " of plan '" + plan + "'") + " in " + target.describe());
            }
            List<String> plans = all.stream().map(Ref::plan).distinct().sorted().toList();
            if (plans.size() > 1) {
                throw FiresafeException.usage("'latest' is ambiguous: " + target.describe() + " holds backups of "
                        + plans.size() + " plans (" + String.join(", ", plans) + "); choose one with --plan NAME, or "
                        + "give a backup id ('list' shows them)");
            }
            return all.get(all.size() - 1);
        }
        return all.stream().filter(r -> r.id.equals(idOrLatest)).findFirst()
                .orElseThrow(() -> new FiresafeException(dev.firesafe.ExitCode.TARGET, "no backup with id "
                        + idOrLatest + " in " + target.describe() + " (see 'list')"));
    }
}
