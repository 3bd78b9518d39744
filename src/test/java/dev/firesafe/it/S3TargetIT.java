package dev.firesafe.it;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.ExitCode;
import dev.firesafe.archive.Compression;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.store.Store;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.app.Services;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.LoopbackProxy;
import dev.firesafe.testing.S3Mock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The s3:// target against a real S3-compatible server (S3Mock) on loopback, in process and through the jar. */
class S3TargetIT {

    private static final int PART = 5 << 20;
    private static final String SECRET = "s3cr3t-" + UUID.randomUUID();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static S3Mock server;
    private static S3Client admin;
    private final MasterKey key = MasterKey.generate(65536);

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Mock.start(shared);
        // In-process services take credentials from the SDK's default chain; S3Mock accepts any.
        System.setProperty("aws.accessKeyId", "firesafe-it");
        System.setProperty("aws.secretAccessKey", SECRET);
        admin = S3Client.builder().endpointOverride(URI.create(server.endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        admin.close();
        server.close();
    }

    private Services config(String endpoint) {
        return config(endpoint, Map.of());
    }

    private Services config(String endpoint, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(extra);
        values.put("firesafe.master-key", key.toEscrowText());
        values.put("firesafe.default-key-file", tmp.resolve("no-such-key-file").toString());
        values.put("firesafe.target", tmp.resolve("default-target").toString());
        values.put("firesafe.s3.endpoint", endpoint);
        values.put("firesafe.s3.path-style", "true");
        values.put("firesafe.s3.part-size", String.valueOf(PART));
        values.put("firesafe.s3.parts-in-flight", "3"); // the concurrent path; the default of 1 is its special case
        return Fixtures.services(values);
    }

    private static String uniqueTarget() {
        return "s3://" + S3Mock.BUCKET + "/it/" + UUID.randomUUID();
    }

    private static Plan plan(Path source, List<String> targets, Retention retention) {
        return new Plan("p", List.of(SourceSpec.of(source.toString())), targets, Compression.ZSTD,
                retention == null ? Retention.KEEP_ALL : retention);
    }

    private static int multipartUploadsInProgress() {
        return admin.listMultipartUploads(l -> l.bucket(S3Mock.BUCKET)).uploads().size();
    }

    @Test
    void roundTripOfAMultipartArchive() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("data"));
        byte[] noise = new byte[20 << 20]; // incompressible: the archive is more than 3 parts of 5 MiB
        new Random(42).nextBytes(noise);
        Files.write(source.resolve("noise.bin"), noise);
        String target = uniqueTarget();
        Services config = config(server.endpoint());

        BackupResult r = config.backups().run(plan(source, List.of(target), null),
                Progress.NONE);
        assertTrue(r.ok(), r.toString());

        Store t = config.stores().open(target);
        List<BackupCatalog.Ref> refs = BackupCatalog.list(t, "p");
        assertEquals(List.of(r.id()), refs.stream().map(BackupCatalog.Ref::id).toList());
        assertTrue(refs.get(0).size() > 3L * PART, "archive size " + refs.get(0).size());
        String key = target.substring(("s3://" + S3Mock.BUCKET + "/").length()) + "/" + refs.get(0).objectName();
        String eTag = admin.headObject(h -> h.bucket(S3Mock.BUCKET).key(key)).eTag();
        long parts = (refs.get(0).size() + PART - 1) / PART;
        assertTrue(eTag.replace("\"", "").endsWith("-" + parts), "multipart ETag of " + parts + " parts: " + eTag);
        assertEquals(0, multipartUploadsInProgress());

        RestoreService restore = config.restores();
        assertEquals(r.files(), restore.verify(target, "latest", "p", Progress.NONE).files());
        Path dest = tmp.resolve("restored");
        restore.restore(target, r.id(), "p", dest, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(dest.resolve("data")));
    }

    @Test
    void abortRemovesUploadedPartsAndCommitNeverReplaces() throws IOException {
        Store t = config(server.endpoint()).stores().open(uniqueTarget());
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);

        Store.Upload aborted = t.create("p/a.firesafe");
        writeMiB(aborted.stream(), chunk, 12); // two parts are on the server now
        assertEquals(1, multipartUploadsInProgress(), "the parts were really uploaded");
        aborted.abort();
        assertEquals(0, multipartUploadsInProgress(), "abort leaves no parts");
        assertEquals(List.of(), t.list("p/"));

        Store.Upload first = t.create("p/b.firesafe");
        first.stream().write(chunk);
        first.commit();
        Store.Upload second = t.create("p/b.firesafe");
        writeMiB(second.stream(), chunk, 6);
        StoreIOException e = assertThrows(StoreIOException.class, second::commit);
        // the object by its name in the store, as every backend words it (store.StoreErrors), not by its key
        assertEquals("p/b.firesafe already exists in " + t.describe() + "; not replacing it", e.getMessage());
        assertEquals(0, multipartUploadsInProgress(), "a failed commit aborts its multipart upload");
        // Observed with S3Mock 4.11.0: aborting a multipart upload also removes a committed object of the same
        // key (AWS keeps it). Either way the 6 MiB upload must not have replaced the 1 MiB object.
        List<Store.StoredObject> left = t.list("p/");
        assertTrue(left.isEmpty() || left.equals(List.of(new Store.StoredObject("p/b.firesafe", chunk.length))),
                left.toString());
    }

    private static void writeMiB(OutputStream out, byte[] chunk, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            out.write(chunk);
        }
        out.close();
    }

    @Test
    void aMissingBucketFailsItsTargetWhileTheOtherGetsTheBackup() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("data"));
        String local = tmp.resolve("local").toUri().toString();
        String missing = "s3://no-such-bucket/x";
        Services config = config(server.endpoint());

        BackupResult r = config.backups()
                .run(plan(source, List.of(missing, local), null), Progress.NONE);
        assertFalse(r.ok());
        BackupResult.TargetResult bad = r.targets().get(0);
        assertEquals(missing, bad.target());
        assertFalse(bad.ok());
        assertTrue(bad.error().contains("bucket 'no-such-bucket' does not exist at " + server.endpoint()),
                bad.error());
        assertTrue(r.targets().get(1).ok(), r.toString());
        Path dest = tmp.resolve("restored");
        config.restores().restore(local, r.id(), "p", dest, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(dest.resolve("data")));
    }

    @Test
    void aServerThatStopsMidUploadFailsTheBackupAndTheNextBackupCleansItsOrphanedParts() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        byte[] noise = new byte[20 << 20]; // incompressible: four 5 MiB parts
        new Random(3).nextBytes(noise);
        Files.write(source.resolve("noise.bin"), noise);
        String target = uniqueTarget();
        Services direct = config(server.endpoint());
        BackupResult good = direct.backups()
                .run(plan(source, List.of(target), null), Progress.NONE);
        assertTrue(good.ok(), good.toString());
        String prefix = target.substring(("s3://" + S3Mock.BUCKET + "/").length());

        try (LoopbackProxy dying = new LoopbackProxy(server.port()).dieAfterRequestBytes(12L << 20)) {
            Services viaProxy = config(dying.endpoint());
            // Parts are sent in the background: the failure surfaces while writing (the run throws) or at
            // commit (the target's result says so), depending on where the stream was when the server died.
            String error;
            try {
                // --full: an incremental backup of the same data would upload a few KiB and outlive the server
                BackupResult r = viaProxy.backups()
                        .run(plan(source, List.of(target), null), Progress.NONE, true);
                assertFalse(r.ok(), r.toString());
                error = r.targets().get(0).error();
            } catch (FiresafeException e) {
                assertEquals(ExitCode.TARGET, e.exitCode());
                error = e.getMessage();
            }
            assertTrue(dying.died(), "the server went away during the upload");
            assertTrue(error.contains(target) && error.contains("cannot reach"), error);
        }
        Store t = direct.stores().open(target);
        assertEquals(List.of(good.id()), BackupCatalog.list(t, "p").stream().map(BackupCatalog.Ref::id).toList(),
                "the failed run left no backup and the good one is still the latest");
        assertEquals(1, orphanedUploads(prefix), "the abort could not reach the stopped server");

        Services sweeping = config(server.endpoint(), Map.of("firesafe.s3.stale-upload-age", "0s"));
        BackupResult next = sweeping.backups()
                .run(plan(source, List.of(target), null), Progress.NONE);
        assertTrue(next.ok(), next.toString());
        assertEquals(0, orphanedUploads(prefix), "the next successful backup aborted the orphaned upload");
        assertEquals(2, BackupCatalog.list(t, "p").size());
    }

    @Test
    void objectLockAsksTheServerToRetainEveryNewBackupForTheConfiguredDays() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        byte[] noise = new byte[12 << 20]; // a multipart upload (CreateMultipartUpload carries the lock)
        new Random(5).nextBytes(noise);
        Files.write(source.resolve("noise.bin"), noise);
        Files.writeString(Files.createDirectories(tmp.resolve("small")).resolve("f"), "a single PutObject");
        String target = uniqueTarget();
        try (LoopbackProxy proxy = new LoopbackProxy(server.port())) {
            Services locked = config(proxy.endpoint(), Map.of("firesafe.s3.object-lock-mode", "governance",
                    "firesafe.s3.object-lock-days", "30"));
            LocalDate due = LocalDate.now(ZoneOffset.UTC).plusDays(30);
            BackupService backup = locked.backups();
            assertTrue(backup.run(plan(source, List.of(target), null), Progress.NONE).ok());
            assertTrue(backup.run(plan(tmp.resolve("small"), List.of(target), null), Progress.NONE).ok());

            // S3Mock 4.11 takes the headers but does not keep them (GetObjectRetention: 404), so check what a
            // server with Object Lock would be asked: GOVERNANCE until 30 days from now, on both upload kinds.
            List<String> sent = proxy.objectLockHeaders();
            assertTrue(sent.stream().filter("x-amz-object-lock-mode: GOVERNANCE"::equals).count() >= 2,
                    "one CreateMultipartUpload and one PutObject: " + sent);
            assertTrue(sent.stream().anyMatch(h -> h.startsWith("x-amz-object-lock-retain-until-date: " + due)),
                    sent.toString());
            assertEquals(2, BackupCatalog.list(locked.stores().open(target), "p").size());
        }
    }

    @Test
    void theSweepAbortsOnlyFiresafesOwnStaleUploadsNotOtherToolsUnderTheSamePrefix() throws IOException {
        String target = uniqueTarget();
        String prefix = target.substring(("s3://" + S3Mock.BUCKET + "/").length()) + "/";
        // Another tool (a days-long rclone copy) uploading into the same prefix, even into the plan's folder,
        // and a Firesafe run that was killed mid-upload.
        List<String> foreign = List.of(prefix + "p/notes.txt", prefix + "photos/2026/holiday.mp4",
                prefix + "video.firesafe");
        foreign.forEach(k -> admin.createMultipartUpload(c -> c.bucket(S3Mock.BUCKET).key(k)));
        String killedRun = prefix + "p/20260101T000000.000Z-0badc0de.firesafe";
        admin.createMultipartUpload(c -> c.bucket(S3Mock.BUCKET).key(killedRun));

        Path source = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(source.resolve("f"), "data");
        Services sweeping = config(server.endpoint(), Map.of("firesafe.s3.stale-upload-age", "0"));
        BackupResult r = sweeping.backups()
                .run(plan(source, List.of(target), null), Progress.NONE);
        assertTrue(r.ok(), r.toString());

        List<MultipartUpload> left = admin.listMultipartUploads(l -> l.bucket(S3Mock.BUCKET).prefix(prefix))
                .uploads();
        // The other tests count the uploads in the whole bucket: leave none behind.
        left.forEach(u -> admin.abortMultipartUpload(a -> a.bucket(S3Mock.BUCKET).key(u.key()).uploadId(u.uploadId())));
        assertEquals(foreign, left.stream().map(MultipartUpload::key).sorted().toList(),
                "only Firesafe's own unfinished upload was aborted");
    }

    private static int orphanedUploads(String keyPrefix) {
        return admin.listMultipartUploads(l -> l.bucket(S3Mock.BUCKET).prefix(keyPrefix)).uploads().size();
    }

    /** A backup, straight to the server, of {@code data/noise.bin}: 6 MiB of incompressible bytes. */
    private BackupResult noiseBackup(String target, long seed) throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        byte[] noise = new byte[6 << 20];
        new Random(seed).nextBytes(noise);
        Files.write(source.resolve("noise.bin"), noise);
        Services direct = config(server.endpoint());
        BackupResult r = direct.backups().run(plan(source, List.of(target), null),
                Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    @Test
    void aDroppedConnectionDuringRestoreResumesWithARangedGet() throws IOException {
        Path source = tmp.resolve("data");
        String target = uniqueTarget();
        BackupResult r = noiseBackup(target, 1);

        try (LoopbackProxy proxy = new LoopbackProxy(server.port()).cutOnceAfter(2 << 20)) {
            Services viaProxy = config(proxy.endpoint());
            Path dest = tmp.resolve("restored");
            viaProxy.restores().restore(target, r.id(), "p", dest, false,
                    Progress.NONE);
            assertEquals(1, proxy.cuts(), "the proxy cut the download once");
            assertTrue(proxy.sawRangeRequest(), "the rest was fetched with a ranged GET");
            assertEquals(Trees.describe(source), Trees.describe(dest.resolve("data")));
        }
    }

    @Test
    void listSaysATargetThatStopsAnsweringCannotBeReadNotThatItsBackupsAreDamaged() throws IOException {
        String target = uniqueTarget();
        noiseBackup(target, 3);
        // The listing is the first request and gets through; the server is gone when list reads the backup's
        // header. Nothing is known about the backup then, least of all that it is damaged.
        try (LoopbackProxy dying = new LoopbackProxy(server.port()).dieAfterFirstRequest()) {
            Cli.Result list = new Cli(tmp).env("FIRESAFE_S3_ENDPOINT", dying.endpoint())
                    .env("FIRESAFE_S3_PATH_STYLE", "true").env("AWS_ACCESS_KEY_ID", "firesafe-it")
                    .env("AWS_SECRET_ACCESS_KEY", SECRET).run("list", "--target", target);
            assertTrue(dying.died(), list.toString());
            assertEquals(ExitCode.TARGET.code, list.exitCode(), list.toString());
            assertFalse(list.all().contains("damaged"), list.toString());
            assertTrue(list.stderr().contains("cannot reach"), list.toString());
            assertFalse(list.all().contains(SECRET));
        }
    }

    @Test
    void aResumedDownloadThatStartsOverFromTheFirstByteIsATargetErrorNotDamage() throws IOException {
        String target = uniqueTarget();
        BackupResult r = noiseBackup(target, 2);
        Services direct = config(server.endpoint());

        // Something between Firesafe and the bucket ignores Range: the resumed GET answers the whole object from
        // byte 0. Splicing that in would make the intact backup fail decryption as if it were tampered with.
        try (LoopbackProxy proxy = new LoopbackProxy(server.port()).cutOnceAfter(2 << 20).dropRangeHeaders()) {
            Services viaProxy = config(proxy.endpoint());
            FiresafeException e = assertThrows(FiresafeException.class, () -> viaProxy.restores().verify(target, r.id(), "p", Progress.NONE));
            // the cut resumes a read with a Range the proxy drops; a read that starts a new range before the cut meets
            // the dropped Range first: either way the answer starts at byte 0 where a later byte was asked for
            assertTrue(proxy.cuts() <= 1, "cuts: " + proxy.cuts());
            assertEquals(ExitCode.TARGET, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("range"), e.getMessage());
        }
        assertEquals(r.files(), direct.restores().verify(target, r.id(), "p",
                Progress.NONE).files(), "the backup itself is intact");
    }

    @Test
    void pruneDryRunOnS3RemovesNothing() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(source.resolve("f"), "data");
        String target = uniqueTarget();
        Services config = config(server.endpoint());
        BackupService backup = config.backups();
        String first = backup.run(plan(source, List.of(target), null), Progress.NONE).id();
        String second = backup.run(plan(source, List.of(target), null), Progress.NONE).id();
        Store t = config.stores().open(target);

        Plan keepOne = plan(source, List.of(target), new Retention(1, null, null, null, null, null));
        PruneService.Report dry = Fixtures.retentionWithoutKey().prune(t, keepOne, true);
        assertTrue(dry.ok(), String.valueOf(dry.error()));
        assertEquals(List.of(first), dry.removed());
        assertEquals(2, BackupCatalog.list(t, "p").size(), "a dry run removes nothing");
        PruneService.Report real = Fixtures.retentionWithoutKey().prune(t, keepOne, false);
        assertEquals(List.of(second), BackupCatalog.list(t, "p").stream().map(BackupCatalog.Ref::id).toList(),
                String.valueOf(real.error()));
    }

    @Test
    void unknownSchemeIsAUsageErrorListingS3() {
        FiresafeException e = assertThrows(FiresafeException.class,
                () -> config(server.endpoint()).stores().open("ftp://host/x"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("s3://"), e.getMessage());
    }

    @Test
    void packagedJarReadsCredentialFilesAndReportsWrongCredentialsWithoutTheSecret() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("data"));
        Path idFile = Files.writeString(tmp.resolve("id"), "firesafe-good\n");
        Path secretFile = Files.writeString(tmp.resolve("secret"), SECRET + "\n");
        String target = uniqueTarget();
        try (LoopbackProxy gate = new LoopbackProxy(server.port()).requireAccessKey("firesafe-good")) {
            Cli cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", key.toEscrowText())
                    .env("FIRESAFE_S3_ENDPOINT", gate.endpoint()).env("FIRESAFE_S3_PATH_STYLE", "true")
                    .env("AWS_ACCESS_KEY_ID_FILE", idFile.toString())
                    .env("AWS_SECRET_ACCESS_KEY_FILE", secretFile.toString());
            Cli.Result ok = cli.run("backup", "--source", source.toString(), "--target", target);
            assertEquals(0, ok.exitCode(), ok.toString());
            Cli.Result list = cli.run("list", "--target", target);
            assertEquals(0, list.exitCode(), list.toString());
            assertTrue(list.stdout().contains("1 backup(s) in " + target), list.toString());

            Files.writeString(idFile, "firesafe-wrong\n");
            Cli.Result denied = cli.run("backup", "--source", source.toString(), "--target", target);
            assertEquals(ExitCode.TARGET.code, denied.exitCode(), denied.toString());
            assertTrue(denied.all().contains("access denied"), denied.toString());
            assertFalse(denied.all().contains(SECRET), "the secret must never be printed");

            Cli.Result noBucket = cli.withoutEnv("AWS_ACCESS_KEY_ID_FILE").env("AWS_ACCESS_KEY_ID", "firesafe-good")
                    .run("list", "--target", "s3://no-such-bucket");
            assertEquals(ExitCode.TARGET.code, noBucket.exitCode(), noBucket.toString());
            assertTrue(noBucket.all().contains("bucket 'no-such-bucket' does not exist"), noBucket.toString());
            assertFalse(noBucket.all().contains(SECRET));
        }
        assertNotNull(key);
    }
}
