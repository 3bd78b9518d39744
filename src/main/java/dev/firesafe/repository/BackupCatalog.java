package dev.firesafe.repository;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backups kept on one target: objects named {@code PLAN/ID.firesafe}. Beside them, for retention
 * (docs/retention.md): {@code PLAN/ID.removed} marks a backup retention removed whose object stays while other
 * backups need chunks in it, and {@code PLAN/ID.gN.firesafe} (N = 1, 2, ...) is a generation of that object: its
 * live chunks, copied by prune so the rest of it could be deleted. Anything else there (partial uploads, files of
 * other tools) is ignored.
 */
public final class BackupCatalog {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(BackupCatalog.class);

    public static final String SUFFIX = ".firesafe";
    /**
     * Marks a backup that retention removed while other backups may still need chunks in its object:
     * {@code PLAN/ID.removed}, a few bytes saying when ({@link #markContent}). The backup is gone from every
     * listing; its object (or its generations) stays until no kept backup needs it (engine.retention.PruneService).
     */
    public static final String REMOVED_SUFFIX = ".removed";
    /** {@code ID.gN}: generation N of the object of backup ID. */
    private static final Pattern GENERATION = Pattern.compile("(.+)\\.g([1-9][0-9]{0,8})");
    private static final String REMOVED_AT = "removed-at: ";

    /** One backup on a target (or, with an id {@code ID.gN}, one generation object). */
    public record Ref(String plan, String id, String objectName, long size) {
    }

    /** A generation object: chunks of backup {@code backupId}'s object, copied there by prune. */
    public record Generation(String plan, String backupId, int number, Ref object) {
    }

    /** A removal mark, {@code PLAN/ID.removed}. */
    public record Mark(String plan, String id, String name) {
    }

    /**
     * Where the chunks a backup's object held are now: the object itself while it is there, and its generations
     * (oldest first). A reference naming the backup finds its chunk in the object at the recorded place, or, once
     * the object is gone, by the chunk's id in a generation.
     */
    public record Family(String plan, String backupId, Optional<Ref> original, List<Ref> generations) {
        /** Every object of the family, the original first, then generations oldest first. */
        public List<Ref> members() {
            List<Ref> all = new ArrayList<>();
            original.ifPresent(all::add);
            all.addAll(generations);
            return all;
        }

        public long size() {
            return members().stream().mapToLong(Ref::size).sum();
        }
    }

    private BackupCatalog() {
    }

    public static String objectName(String plan, String id) {
        return plan + "/" + id + SUFFIX;
    }

    /** The name of generation {@code n} of backup {@code id}'s object; its header names it {@code ID.gN}. */
    public static String generationName(String plan, String id, int n) {
        return plan + "/" + generationId(id, n) + SUFFIX;
    }

    public static String generationId(String id, int n) {
        return id + ".g" + n;
    }

    /** Every backup on {@code target}, oldest first; {@code plan} null means all plans. Removed ones are not. */
    public static List<Ref> list(Store target, String plan) throws IOException {
        return listing(target, plan).backups();
    }

    /**
     * What a store holds of a plan ({@code null}: all plans): the backups; the objects of removed backups that are
     * still there (marked {@link #REMOVED_SUFFIX}); generations; and every removal mark; each oldest first.
     * {@link #family} is a look-up in an index made once: a restore or {@code verify all} asks it for every chunk
     * reference into an object prune rewrote, and a scan of every object per reference made their time grow with
     * the number of backups times the number of references (issue #20 point 8).
     */
    public static final class Listing {
        private final List<Ref> backups;
        private final List<Ref> removed;
        private final List<Generation> generations;
        private final List<Mark> marks;
        private final Set<String> incomplete;
        private Map<String, Ref> objectsByKey;
        private Map<String, List<Ref>> generationsByKey;

        public Listing(List<Ref> backups, List<Ref> removed, List<Generation> generations, List<Mark> marks,
                       Set<String> incomplete) {
            this.backups = backups;
            this.removed = removed;
            this.generations = generations;
            this.marks = marks;
            this.incomplete = incomplete;
        }

        public List<Ref> backups() {
            return backups;
        }

        public List<Ref> removed() {
            return removed;
        }

        public List<Generation> generations() {
            return generations;
        }

        public List<Mark> marks() {
            return marks;
        }

        public Set<String> incomplete() {
            return incomplete;
        }

        /** Every backup object, removed or not. */
        public List<Ref> objects() {
            List<Ref> all = new ArrayList<>(backups);
            all.addAll(removed);
            return all;
        }

        private static String key(String plan, String id) {
            return plan + "/" + id;
        }

        /** The objects holding what backup {@code id}'s object held (see {@link Family}). */
        public synchronized Family family(String plan, String id) {
            if (objectsByKey == null) {
                objectsByKey = new HashMap<>();
                for (Ref r : objects()) {
                    objectsByKey.putIfAbsent(key(r.plan(), r.id()), r); // the first, as a scan in order finds
                }
                generationsByKey = new HashMap<>();
                generations.stream().sorted(Comparator.comparingInt(Generation::number)).forEach(g ->
                        generationsByKey.computeIfAbsent(key(g.plan(), g.backupId()), k -> new ArrayList<>())
                                .add(g.object()));
            }
            String k = key(plan, id);
            return new Family(plan, id, Optional.ofNullable(objectsByKey.get(k)),
                    List.copyOf(generationsByKey.getOrDefault(k, List.of())));
        }

        /** What this listing holds of one plan. */
        public Listing ofPlan(String plan) {
            return new Listing(backups.stream().filter(r -> r.plan().equals(plan)).toList(),
                    removed.stream().filter(r -> r.plan().equals(plan)).toList(),
                    generations.stream().filter(g -> g.plan().equals(plan)).toList(),
                    marks.stream().filter(m -> m.plan().equals(plan)).toList(), incomplete);
        }

        /** Whether backup {@code id} of {@code plan} is marked removed. */
        public boolean marked(String plan, String id) {
            return marks.stream().anyMatch(m -> m.id().equals(id) && m.plan().equals(plan));
        }
    }

    public static Listing listing(Store target, String plan) throws IOException {
        List<Store.StoredObject> objects = target.list(plan == null ? "" : plan + "/");
        Set<String> removedMarks = new HashSet<>();
        List<Mark> marks = new ArrayList<>();
        for (Store.StoredObject o : objects) {
            parseMark(o.name()).filter(m -> plan == null || m.plan().equals(plan)).ifPresent(m -> {
                marks.add(m);
                removedMarks.add(objectName(m.plan(), m.id()));
            });
        }
        List<Ref> backups = new ArrayList<>();
        List<Ref> removed = new ArrayList<>();
        objects.stream().map(BackupCatalog::parse).flatMap(Optional::stream)
                .filter(r -> plan == null || r.plan.equals(plan))
                .sorted(Comparator.comparing(Ref::id).thenComparing(Ref::plan))
                .forEach(r -> (removedMarks.contains(r.objectName()) ? removed : backups).add(r));
        List<Generation> generations = objects.stream().map(BackupCatalog::parseGeneration)
                .flatMap(Optional::stream).filter(g -> plan == null || g.plan().equals(plan))
                .sorted(Comparator.comparing(Generation::backupId).thenComparingInt(Generation::number))
                .toList();
        marks.sort(Comparator.comparing(Mark::id).thenComparing(Mark::plan));
        Set<String> incompleteMarks = new HashSet<>();
        for (Store.StoredObject o : objects) {
            if (o.name().endsWith(SUFFIX + INCOMPLETE_SUFFIX)) {
                incompleteMarks.add(o.name().substring(0, o.name().length() - INCOMPLETE_SUFFIX.length()));
            }
        }
        Set<String> incomplete = new HashSet<>();
        backups.stream().filter(r -> incompleteMarks.contains(r.objectName())).forEach(r -> incomplete.add(r.id()));
        return new Listing(List.copyOf(backups), List.copyOf(removed), generations, List.copyOf(marks),
                Set.copyOf(incomplete));
    }

    /**
     * Stored beside a backup that finished with entries missing (exit code 7), {@code PLAN/ID.firesafe.incomplete},
     * so that {@code list}, which reads no backup (it needs no key), can mark it (issue #19). It holds only the
     * number of missing entries, never their names: those are in the encrypted backup, which verify shows.
     */
    public static final String INCOMPLETE_SUFFIX = ".incomplete";

    public static String incompleteMarker(String plan, String id) {
        return objectName(plan, id) + INCOMPLETE_SUFFIX;
    }

    /** How many entries the incomplete backup {@code id} lacks, as its mark says; empty if it does not say. */
    public static java.util.OptionalLong missingCount(Store target, String plan, String id) throws IOException {
        byte[] content;
        try (InputStream in = target.open(incompleteMarker(plan, id), 0, 4096)) {
            content = in.readNBytes(4096);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"missing\":(\\d+)")
                .matcher(new String(content, StandardCharsets.UTF_8));
        return m.find() ? java.util.OptionalLong.of(Long.parseLong(m.group(1))) : java.util.OptionalLong.empty();
    }

    /** The listing, for its backups and their incomplete marks ({@link Listing#incomplete()}). */
    public static Listing listMarked(Store target, String plan) throws IOException {
        return listing(target, plan);
    }

    /** What a removal mark says: when the backup was removed. */
    public static byte[] markContent(Instant removedAt) {
        return ("Firesafe: this backup was removed by retention; its object stays while other backups need it\n"
                + REMOVED_AT + removedAt + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * When the backup of {@code mark} was removed, from the mark's content; empty if it does not say (a mark
     * written before marks held the time: as old as can be).
     */
    public static Optional<Instant> markTime(Store target, Mark mark) throws IOException {
        byte[] content;
        try (InputStream in = target.open(mark.name(), 0, 4096)) {
            content = in.readNBytes(4096);
        }
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(REMOVED_AT)) {
                try {
                    return Optional.of(Instant.parse(line.substring(REMOVED_AT.length()).strip()));
                } catch (DateTimeParseException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The name of the mark that says backup {@code id} of {@code plan} was removed. */
    public static String removedMark(String plan, String id) {
        return plan + "/" + id + REMOVED_SUFFIX;
    }

    /**
     * Whether {@code name} is one a backup or a generation is written under: what a target may clean up after a
     * killed run.
     */
    public static boolean isBackupName(String name) {
        Store.StoredObject o = new Store.StoredObject(name, 0);
        return parse(o).isPresent() || parseGeneration(o).isPresent();
    }

    private static Optional<Mark> parseMark(String name) {
        int slash = name.indexOf('/');
        if (slash <= 0 || slash != name.lastIndexOf('/') || !name.endsWith(REMOVED_SUFFIX)) {
            return Optional.empty();
        }
        String id = name.substring(slash + 1, name.length() - REMOVED_SUFFIX.length());
        return BackupId.isValid(id) ? Optional.of(new Mark(name.substring(0, slash), id, name)) : Optional.empty();
    }

    private static Optional<Generation> parseGeneration(Store.StoredObject o) {
        String name = o.name();
        int slash = name.indexOf('/');
        if (slash <= 0 || slash != name.lastIndexOf('/') || !name.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String stem = name.substring(slash + 1, name.length() - SUFFIX.length());
        Matcher m = GENERATION.matcher(stem);
        if (!m.matches() || !BackupId.isValid(m.group(1))) {
            return Optional.empty();
        }
        String plan = name.substring(0, slash);
        return Optional.of(new Generation(plan, m.group(1), Integer.parseInt(m.group(2)),
                new Ref(plan, stem, name, o.size())));
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

    /**
     * What is wrong where a backup's header names another backup or plan than where it was found: a backup moved
     * or copied into another plan's folder, or renamed (issue #18: anyone who can write to the target could make
     * "latest vault" restore plan web's data). The header is authenticated, so one edited to match its place fails
     * decryption instead. Empty where the header agrees.
     */
    public static Optional<String> misplaced(Ref ref, dev.firesafe.crypto.BackupHeader header) {
        boolean otherPlan = header.plan() != null && !header.plan().equals(ref.plan());
        if (!otherPlan && header.backupId().equals(ref.id())) {
            return Optional.empty();
        }
        return Optional.of(ref.objectName() + " is backup " + header.backupId() + " of plan '" + header.plan()
                + "' by its header: it was " + (otherPlan ? "moved or copied there from another plan's folder, or "
                + "its header was edited" : "renamed or swapped") + " (damaged or tampered with); it is not "
                + "backup " + ref.id() + " of plan '" + ref.plan() + "'");
    }

    /** Enough bytes for any header: its fixed part and JSON of at most 64 KiB. */
    private static final long HEADER_RANGE = 13 + 64 * 1024;

    /**
     * The newest backup whose header agrees with where it is ({@link #misplaced}): 'latest' never picks a backup
     * moved in from another plan's folder; one that is skipped is logged. A header that cannot be read is not
     * skipped: restoring it reports what is wrong with it.
     */
    private static Ref newestInPlace(Store target, List<Ref> all, String plan) throws IOException {
        List<String> skipped = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Ref ref = all.get(i);
            Optional<String> problem;
            try {
                problem = misplaced(ref, header(target, ref));
            } catch (FiresafeException e) {
                return ref;
            }
            if (problem.isEmpty()) {
                return ref;
            }
            LOG.warnf("'latest' skips %s: %s", ref.objectName(), problem.get());
            skipped.add(problem.get());
        }
        throw FiresafeException.integrity("no backup" + (plan == null ? "" : " of plan '" + plan + "'") + " in "
                + target.describe() + " is where it belongs: " + String.join("; ", skipped));
    }

    /**
     * Resolves {@code latest} (newest of {@code plan}) or an exact id. Without a plan, {@code latest} is the newest
     * backup of the one plan the target holds; where several plans share it, the newest of any of them may be the
     * wrong thing to restore (issue #19: it was), so that is a usage error naming the plans.
     */
    public static Ref resolve(Store target, String idOrLatest, String plan) throws IOException {
        List<Ref> all = list(target, plan);
        if (idOrLatest == null || idOrLatest.equals("latest")) {
            if (all.isEmpty()) {
                throw new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "no backups"
                        + (plan == null ? "" : " of plan '" + plan + "'") + " in " + target.describe());
            }
            List<String> plans = all.stream().map(Ref::plan).distinct().sorted().toList();
            if (plans.size() > 1) {
                throw FiresafeException.usage("'latest' is ambiguous: " + target.describe() + " holds backups of "
                        + plans.size() + " plans (" + String.join(", ", plans) + "); choose one with --plan NAME, or "
                        + "give a backup id ('list' shows them)");
            }
            return newestInPlace(target, all, plan);
        }
        return all.stream().filter(r -> r.id.equals(idOrLatest)).findFirst()
                .orElseThrow(() -> new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "no backup with id "
                        + idOrLatest + " in " + target.describe() + " (see 'list')"));
    }
}
