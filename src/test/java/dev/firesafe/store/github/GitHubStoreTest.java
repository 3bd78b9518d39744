package dev.firesafe.store.github;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.TamperedException;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.store.Store;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.GitHubEmulator;
import dev.firesafe.testing.GitHubEmulator.Fault;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The github:// target against {@link GitHubEmulator}, a real HTTP server. A Quarkus test because the REST Client
 * is generated at build time; waits go through a recording {@link Sleeper}, so rate limits and backoff cost no
 * real time.
 */
@QuarkusTest
class GitHubStoreTest {

    private static final String TOKEN = "github_pat_" + UUID.randomUUID().toString().replace("-", "");
    private static final String INDEX = "backups/" + BackupIndex.FILE;

    @TempDir
    Path tmp;

    private GitHubEmulator github;
    private final List<Duration> slept = new ArrayList<>();
    private final Map<String, String> settings = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        github = new GitHubEmulator("acme", "vault", TOKEN);
        settings.put("firesafe.github.api-url", github.url());
        settings.put("firesafe.github.rate-limit-budget", "5m");
        env.put("GITHUB_TOKEN", TOKEN);
    }

    @AfterEach
    void stop() {
        github.close();
    }

    private GitHubStore target() {
        return target("github://acme/vault/backups");
    }

    private GitHubStore target(String uri) {
        GitHubConfig config = Fixtures.services(settings).settings().github();
        return GitHubStore.open(GitHubLocation.parse(uri), config, env::get, Clock.systemUTC(), slept::add);
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void upload(Store t, String name, byte[] content) throws IOException {
        Store.Upload u = t.create(name);
        u.stream().write(content);
        u.stream().close();
        u.commit();
    }

    private static byte[] read(Store t, String name) throws IOException {
        try (InputStream in = t.open(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void firstUploadIsFourRequestsAndInvisibleUntilCommit() throws IOException {
        GitHubStore t = target();
        byte[] archive = bytes(5000, 1);
        Store.Upload u = t.create("p/one.firesafe");
        u.stream().write(archive);
        u.stream().close();
        assertEquals(List.of(), target().list(""), "nothing is visible before commit");
        u.commit();

        assertEquals(1, github.calls("GET raw"), "the test's own listing");
        assertEquals(2, github.calls("GET repo"), "no index yet: the listing and create checked the repository");
        assertEquals(6, github.totalCalls(), "the listing (2), then GET index, GET repo, PUT archive, PUT index");
        assertEquals(1, github.calls("GET contents"));
        assertEquals(2, github.calls("PUT contents"));
        assertEquals(4, t.requests(), "later backups: 3 (secondUploadUpdatesTheIndexWithItsSha)");
        assertArrayEquals(archive, github.file("backups/p/one.firesafe"), "one file, the backup's own name");
        assertNotNull(github.file(INDEX));
        assertEquals(List.of(new Store.StoredObject("p/one.firesafe", 5000)), target().list("p/"));
        assertArrayEquals(archive, read(target(), "p/one.firesafe"));
        assertTrue(github.lastUserAgent().startsWith("firesafe/"), github.lastUserAgent());
        assertEquals("2022-11-28", github.lastApiVersion());
    }

    @Test
    void secondUploadUpdatesTheIndexWithItsSha() throws IOException {
        upload(target(), "p/one.firesafe", bytes(100, 1));
        byte[] indexBefore = github.file(INDEX);
        github.resetCalls();
        GitHubStore t = target();
        upload(t, "p/two.firesafe", bytes(100, 2));
        assertEquals(3, github.totalCalls(), "an update costs no extra request: the sha came with the first read");
        assertFalse(java.util.Arrays.equals(indexBefore, github.file(INDEX)));
        assertEquals(2, target().list("").size());
        assertEquals(2, t.list("").size(), "the listing right after a commit is served from the written index");
        assertEquals(3, t.requests());
    }

    @Test
    void aConcurrentWriterIsMergedNotOverwritten() throws IOException {
        GitHubStore mine = target();
        Store.Upload u = mine.create("p/mine.firesafe");
        u.stream().write(bytes(300, 3));
        upload(target(), "p/theirs.firesafe", bytes(300, 4)); // another machine commits meanwhile
        u.commit();
        List<String> names = target().list("").stream().map(Store.StoredObject::name).sorted().toList();
        assertEquals(List.of("p/mine.firesafe", "p/theirs.firesafe"), names);
    }

    @Test
    void anIndexThatKeepsChangingFailsTheCommitAndKeepsTheOtherWritersIndex() throws IOException {
        upload(target(), "p/old.firesafe", bytes(100, 5));
        GitHubStore t = target();
        Store.Upload u = t.create("p/new.firesafe");
        u.stream().write(bytes(100, 6));
        byte[][] foreign = new byte[1][];
        github.beforeWrite(path -> {
            if (path.equals(INDEX)) { // someone else rewrites the index right before each of our index writes
                foreign[0] = (new String(github.file(INDEX), StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
                github.write("main", INDEX, foreign[0]);
            }
        });
        StoreIOException e = assertThrows(StoreIOException.class, u::commit);
        assertTrue(e.getMessage().contains("changed twice"), e.getMessage());
        assertArrayEquals(foreign[0], github.file(INDEX), "the other writer's index was not overwritten");
        assertNull(github.file("backups/p/new.firesafe"), "abort removed the unindexed archive");
        github.beforeWrite(path -> { });
        assertEquals(List.of("p/old.firesafe"), target().list("").stream().map(Store.StoredObject::name).toList());
    }

    @Test
    void aNameThatExistsIsNeverReplaced() throws IOException {
        upload(target(), "p/one.firesafe", bytes(100, 1));
        StoreIOException e = assertThrows(StoreIOException.class, () -> target().create("p/one.firesafe"));
        assertEquals("p/one.firesafe already exists in " + target().describe() + "; not replacing it",
                e.getMessage());
        github.write("main", "backups/p/stray.firesafe", bytes(10, 9)); // a file that is not ours
        Store.Upload u = target().create("p/stray.firesafe");
        u.stream().write(bytes(100, 2));
        assertThrows(StoreIOException.class, u::commit);
        assertArrayEquals(bytes(10, 9), github.file("backups/p/stray.firesafe"));
    }

    @Test
    void primaryAndSecondaryRateLimitsAreWaitedOutThenSucceed() throws IOException {
        github.rateLimitSeconds(30);
        github.fail(Fault.PRIMARY_RATE_LIMIT, 1, "PUT");
        upload(target(), "p/a.firesafe", bytes(100, 1));
        assertEquals(1, slept.size(), slept.toString());
        assertTrue(slept.get(0).toSeconds() >= 29 && slept.get(0).toSeconds() <= 32, slept.toString());
        github.fail(Fault.SECONDARY_RATE_LIMIT, 1, "GET");
        upload(target(), "p/b.firesafe", bytes(100, 2));
        assertEquals(Duration.ofSeconds(30), slept.get(1), "retry-after is obeyed");
        assertEquals(2, target().list("").size());
    }

    /** GitHub's docs: without retry-after, wait at least a minute, then exponentially longer while it goes on. */
    @Test
    void aSecondaryRateLimitNamingNoTimeIsWaitedOutLongerEachTimeItRepeats() throws IOException {
        settings.put("firesafe.github.rate-limit-budget", "15m"); // the default: 7 min of waits fit
        github.fail(Fault.SECONDARY_RATE_LIMIT_WITHOUT_RETRY_AFTER, 3, "GET");
        upload(target(), "p/a.firesafe", bytes(100, 1));
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4)), slept);
        assertEquals(1, target().list("").size());
    }

    @Test
    void aPrimaryRateLimitIsWaitedOutByGitHubsClockNotAFastLocalOne() throws IOException {
        // A home-lab machine whose clock runs an hour ahead sees every reset time "in the past": it must still
        // wait as long as GitHub asks (by the Date of GitHub's answer), not retry at once while rate limited.
        github.rateLimitSeconds(30);
        github.fail(Fault.PRIMARY_RATE_LIMIT, 2, "PUT");
        GitHubConfig config = Fixtures.services(settings).settings().github();
        GitHubStore fast = GitHubStore.open(GitHubLocation.parse("github://acme/vault/backups"), config, env::get,
                Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), slept::add);
        upload(fast, "p/a.firesafe", bytes(100, 1));
        assertEquals(2, slept.size(), slept.toString());
        for (Duration d : slept) {
            assertTrue(d.toSeconds() >= 29 && d.toSeconds() <= 32, slept.toString());
        }
    }

    @Test
    void aRateLimitBeyondTheBudgetFailsClearlyAndKeepsThePreviousBackup() throws IOException {
        upload(target(), "p/good.firesafe", bytes(100, 1));
        byte[] index = github.file(INDEX);
        settings.put("firesafe.github.rate-limit-budget", "10s");
        github.rateLimitSeconds(3600);
        github.fail(Fault.PRIMARY_RATE_LIMIT, 1, "PUT");
        Store.Upload u = target().create("p/next.firesafe");
        u.stream().write(bytes(100, 2));
        StoreIOException e = assertThrows(StoreIOException.class, u::commit);
        assertTrue(e.getMessage().contains("rate limit") && e.getMessage().contains("rate-limit-budget"),
                e.getMessage());
        assertEquals(List.of(), slept, "nothing was waited: the wait would exceed the budget");
        assertArrayEquals(index, github.file(INDEX));
        assertArrayEquals(bytes(100, 1), read(target(), "p/good.firesafe"));
    }

    @Test
    void serverErrorsAndDroppedConnectionsAreRetriedWithBackoff() throws IOException {
        settings.put("firesafe.github.retry-backoff", "1s");
        github.fail(Fault.SERVER_ERROR, 3, "PUT");
        upload(target(), "p/a.firesafe", bytes(100, 1));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), slept);
        slept.clear();
        github.fail(Fault.DROP_CONNECTION, 2, null);
        upload(target(), "p/b.firesafe", bytes(100, 2));
        assertEquals(2, slept.size());
        assertEquals(2, target().list("").size());
    }

    @Test
    void aWriteThatLostTheRaceForTheBranchIsRetriedNotTakenForAnExistingFile() throws IOException {
        // Another host's backup (or prune) committing to the same branch at the same moment: GitHub refuses the
        // commit with 409 "is at X but expected Y" and applied nothing, so sending it again is safe.
        settings.put("firesafe.github.retry-backoff", "1s");
        upload(target(), "p/a.firesafe", bytes(100, 1));
        github.fail(Fault.BRANCH_MOVED, 2, "PUT");
        upload(target(), "p/b.firesafe", bytes(100, 2));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept);
        assertArrayEquals(bytes(100, 2), read(target(), "p/b.firesafe"));
        github.fail(Fault.BRANCH_MOVED, 1, "DELETE");
        target().delete("p/a.firesafe");
        assertNull(github.file("backups/p/a.firesafe"), "the file was deleted, not left behind");
        assertEquals(List.of(new Store.StoredObject("p/b.firesafe", 100)), target().list(""));
    }

    @Test
    void aDownloadCutMidwayIsATargetErrorNotDamage() throws IOException {
        // A connection that breaks during verify or restore says nothing about the backup: exit code 5, rerun it.
        upload(target(), "p/a.firesafe", bytes(100_000, 5));
        github.cutDownloadOnceAfter(50_000);
        assertThrows(StoreIOException.class, () -> read(target(), "p/a.firesafe"));
        assertArrayEquals(bytes(100_000, 5), read(target(), "p/a.firesafe"), "the backup itself is intact");
    }

    @Test
    void aServerErrorStormFailsAfterTheRetriesWithoutTouchingTheIndex() throws IOException {
        upload(target(), "p/good.firesafe", bytes(100, 1));
        byte[] index = github.file(INDEX);
        settings.put("firesafe.github.max-retries", "3");
        Store.Upload u = target().create("p/next.firesafe");
        u.stream().write(bytes(100, 2));
        github.fail(Fault.SERVER_ERROR, 50, "PUT");
        StoreIOException e = assertThrows(StoreIOException.class, u::commit);
        assertTrue(e.getMessage().contains("502") && e.getMessage().contains("4 times"), e.getMessage());
        assertEquals(3, slept.size());
        assertArrayEquals(index, github.file(INDEX));
    }

    @Test
    void aRetriedCreateWhoseFirstAttemptLandedCountsAsDone() throws IOException {
        upload(target(), "p/a.firesafe", bytes(100, 1));
        // The first PUT of the archive is applied, then the connection drops before the answer: simulate with
        // a hook that writes the very same bytes just before our write is handled.
        byte[] archive = bytes(200, 2);
        github.beforeWrite(path -> {
            if (path.equals("backups/p/b.firesafe") && github.file(path) == null) {
                github.write("main", path, archive);
            }
        });
        upload(target(), "p/b.firesafe", archive);
        assertArrayEquals(archive, read(target(), "p/b.firesafe"));
    }

    @Test
    void badTokenNamesItsSourceNeverTheToken() throws IOException {
        env.put("GITHUB_TOKEN", "github_pat_wrong" + TOKEN.substring(16));
        StoreIOException e = assertThrows(StoreIOException.class, () -> target().create("p/a.firesafe"));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("GITHUB_TOKEN"), e.getMessage());
        assertFalse(e.getMessage().contains(env.get("GITHUB_TOKEN")), "the token is never in a message");

        github.readOnlyToken("read-only-" + TOKEN);
        env.put("GITHUB_TOKEN", "read-only-" + TOKEN);
        Store.Upload u = target().create("p/a.firesafe");
        u.stream().write(bytes(10, 1));
        StoreIOException denied = assertThrows(StoreIOException.class, u::commit);
        assertTrue(denied.getMessage().contains("Contents: Read and write"), denied.getMessage());
        assertFalse(denied.getMessage().contains(TOKEN));
    }

    @Test
    void tokenFromFileAndItsPathInErrors() throws IOException {
        env.remove("GITHUB_TOKEN");
        Path file = Files.writeString(tmp.resolve("gh-token"), TOKEN + "\n");
        env.put("GITHUB_TOKEN_FILE", file.toString());
        upload(target(), "p/a.firesafe", bytes(10, 1));
        Files.writeString(file, "stale-token\n");
        StoreIOException e = assertThrows(StoreIOException.class, () -> target().list(""));
        assertTrue(e.getMessage().contains("GITHUB_TOKEN_FILE " + file), e.getMessage());
        env.remove("GITHUB_TOKEN_FILE");
        StoreIOException none = assertThrows(StoreIOException.class, () -> target().list(""));
        assertTrue(none.getMessage().contains("no GitHub token"), none.getMessage());
    }

    @Test
    void multiPartArchivesRoundTripAndDamagedPartsAreCaught() throws IOException {
        settings.put("firesafe.github.part-size", "1024");
        byte[] archive = bytes(4500, 7);
        GitHubStore t = target();
        upload(t, "p/big.firesafe", archive);
        assertEquals(5 + 3, t.requests(), "GET index, GET repo (no index yet), 5 parts, PUT index");
        assertNull(github.file("backups/p/big.firesafe"));
        assertEquals(1024, github.file("backups/p/big.firesafe.part0001").length);
        assertEquals(404, github.file("backups/p/big.firesafe.part0005").length);
        assertEquals(List.of(new Store.StoredObject("p/big.firesafe", 4500)), target().list(""));
        assertArrayEquals(archive, read(target(), "p/big.firesafe"));

        byte[] swapped = github.file("backups/p/big.firesafe.part0002").clone();
        swapped[10] ^= 1;
        github.write("main", "backups/p/big.firesafe.part0002", swapped);
        IOException e = assertThrows(IOException.class, () -> read(target(), "p/big.firesafe"));
        assertTrue(hasCause(e, TamperedException.class), String.valueOf(e));
        assertTrue(e.getMessage().contains("part0002"), e.getMessage());
    }

    @Test
    void aFailedMultiPartUploadDeletesItsParts() throws IOException {
        settings.put("firesafe.github.part-size", "1024");
        settings.put("firesafe.github.max-retries", "2");
        upload(target(), "p/good.firesafe", bytes(10, 1));
        byte[] index = github.file(INDEX);

        Store.Upload u = target().create("p/a.firesafe");
        u.stream().write(bytes(3000, 2)); // two full parts are sent while writing
        assertNotNull(github.file("backups/p/a.firesafe.part0002"));
        github.dropWritesTo("backups/p/a.firesafe.part0003");
        StoreIOException e = assertThrows(StoreIOException.class, u::commit);
        assertTrue(e.getMessage().contains("3 attempts failed"), e.getMessage());
        assertEquals(List.of(INDEX, "backups/p/good.firesafe"), List.copyOf(github.files("main").keySet()),
                "abort deleted the parts it had sent");

        Store.Upload v = target().create("p/b.firesafe");
        v.stream().write(bytes(3000, 3));
        github.dropWritesTo(INDEX); // the index write's outcome is unknown to the client...
        assertThrows(StoreIOException.class, v::commit);
        assertArrayEquals(index, github.file(INDEX));
        assertEquals(List.of(INDEX, "backups/p/good.firesafe"), List.copyOf(github.files("main").keySet()),
                "...so abort read the index again, found no entry, and deleted the parts");
    }

    @Test
    void deleteRemovesTheIndexEntryThenTheFiles() throws IOException {
        settings.put("firesafe.github.part-size", "1024");
        upload(target(), "p/a.firesafe", bytes(3000, 1));
        upload(target(), "p/b.firesafe", bytes(10, 2));
        target().delete("p/a.firesafe");
        assertEquals(List.of("p/b.firesafe"), target().list("").stream().map(Store.StoredObject::name).toList());
        assertEquals(List.of("backups/" + BackupIndex.FILE, "backups/p/b.firesafe"),
                List.copyOf(github.files("main").keySet()));
        assertTrue(github.historyBytes() > 3000, "git history still holds the deleted bytes");
        target().delete("p/a.firesafe"); // deleting what is gone is a no-op
    }

    @Test
    void aBranchOtherThanTheDefault() throws IOException {
        github.addBranch("backups");
        upload(target("github://acme/vault/x?branch=backups"), "p/a.firesafe", bytes(10, 1));
        assertTrue(github.files("backups").containsKey("x/p/a.firesafe"));
        assertTrue(github.files("main").isEmpty());
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> upload(target("github://acme/vault/x?branch=nope"), "p/a.firesafe", bytes(10, 1)));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        StoreIOException list = assertThrows(StoreIOException.class,
                () -> target("github://acme/vault/x?branch=nope").list(""));
        assertTrue(list.getMessage().contains("branch nope"), list.getMessage());
        StoreIOException repo = assertThrows(StoreIOException.class, () -> target("github://acme/vaul").list(""));
        assertTrue(repo.getMessage().contains("acme/vaul exist"), repo.getMessage());
        assertEquals(List.of(), target("github://acme/vault/empty").list(""), "an existing repository, no backups");
    }

    @Test
    void aMistypedRepositoryOrBranchFailsAtCreateBeforeAnySourceIsRead() {
        // docs/github.md: the index is read at create, so a wrong repository fails in the first second, not
        // after the archive was built. A 404 for the index alone cannot tell "no backups yet" from "no such
        // repository or branch".
        StoreIOException repo = assertThrows(StoreIOException.class,
                () -> target("github://acme/vaul/backups").create("p/a.firesafe"));
        assertTrue(repo.getMessage().contains("acme/vaul exist"), repo.getMessage());
        StoreIOException branch = assertThrows(StoreIOException.class,
                () -> target("github://acme/vault/x?branch=nope").create("p/a.firesafe"));
        assertTrue(branch.getMessage().contains("branch nope"), branch.getMessage());
        assertEquals(0, github.calls("PUT contents"));
    }

    @Test
    void filesOverTheSizeLimitAreRefusedClearly() throws IOException {
        github.maxFileSize(2000);
        Store.Upload u = target().create("p/a.firesafe");
        u.stream().write(bytes(3000, 1));
        StoreIOException e = assertThrows(StoreIOException.class, u::commit);
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertEquals(List.of(), target().list(""));
    }

    @Test
    void anIndexOverOneMegabyteIsReadRawForUpdates() throws IOException {
        List<BackupIndex.Entry> many = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            String name = "p/" + String.format("%06d", i) + ".firesafe";
            many.add(new BackupIndex.Entry(name, 1, List.of(new BackupIndex.Part(name, 1, "0".repeat(64),
                    "0".repeat(40)))));
        }
        byte[] big = new BackupIndex(BackupIndex.FORMAT, many).toJson();
        assertTrue(big.length > 1024 * 1024, "the emulator then omits the content, as GitHub does");
        github.write("main", INDEX, big);
        GitHubStore t = target();
        upload(t, "p/new.firesafe", bytes(10, 1));
        assertEquals(4, t.requests(), "JSON read for the sha, raw read for the content, archive, index");
        assertEquals(6001, target().list("").size());
    }

    @Test
    void badTargetUrisAreUsageErrors() {
        for (String bad : List.of("github://", "github://acme", "github://acme/vault/a/../b",
                "github://acme/vault/x?ref=main")) {
            dev.firesafe.core.FiresafeException e = assertThrows(dev.firesafe.core.FiresafeException.class,
                    () -> GitHubLocation.parse(bad), bad);
            assertEquals(dev.firesafe.core.ExitCode.USAGE, e.exitCode());
        }
        GitHubLocation l = GitHubLocation.parse("github://acme/vault/a/b?branch=feature/x");
        assertEquals(new GitHubLocation("acme", "vault", "a/b", "feature/x"), l);
        assertEquals("a/b/p/ID.firesafe", l.file("p/ID.firesafe"));
        assertEquals("", GitHubLocation.parse("github://acme/vault").path());
    }

    private static boolean hasCause(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
