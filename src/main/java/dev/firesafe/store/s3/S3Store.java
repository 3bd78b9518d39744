package dev.firesafe.store.s3;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.PartBufferedUpload;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreErrors;
import dev.firesafe.store.StoreInputStream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import dev.firesafe.io.StageWait;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.BlockingQueue;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A bucket (and key prefix) on AWS S3 or an S3-compatible server: {@code s3://BUCKET/PREFIX}, objects at
 * {@code PREFIX/NAME}.
 *
 * <p>Uploads stream as a multipart upload holding (parts-in-flight + 1) parts of {@code firesafe.s3.part-size} in
 * memory; an archive smaller than one part is sent with a single PutObject at commit. Parts of an unfinished multipart
 * upload are invisible to listings and reads, so the contract's "nothing visible before commit" holds; abort
 * removes them; those a killed process or a vanished server left behind are aborted after the next successful
 * upload once older than {@code firesafe.s3.stale-upload-age} if their name is one Firesafe writes
 * ({@link StaleUploads}), and a bucket lifecycle rule
 * is the backstop (README). Commit checks that no
 * object has the name, completes the upload and confirms the object's size with HeadObject.
 */
public final class S3Store implements Store {

    private static final Logger LOG = Logger.getLogger(S3Store.class);
    static final int MIN_PART_SIZE = 5 << 20;

    private final S3Client s3;
    private final S3Location location;
    private final String endpoint;
    private final int partSize;
    private final ObjectLockMode lockMode;
    private final int lockDays;
    private final Duration staleUploadAge;
    private final int partsInFlight;
    private final Predicate<String> ownNames;

    S3Store(S3Client s3, S3Location location, String endpoint, int partSize, ObjectLockMode lockMode, int lockDays,
             Duration staleUploadAge, int partsInFlight, Predicate<String> ownNames) {
        this.s3 = s3;
        this.location = location;
        this.endpoint = endpoint;
        this.partSize = partSize;
        this.lockMode = lockMode;
        this.lockDays = lockDays;
        this.staleUploadAge = staleUploadAge;
        this.partsInFlight = partsInFlight;
        this.ownNames = ownNames;
    }

    /** The settings of S3 stores, checked once: what {@link S3Backend#check} validates before any I/O. */
    record Settings(int partSize, ObjectLockMode lockMode, int lockDays, Duration staleUploadAge, int partsInFlight,
                    Predicate<String> ownNames, String endpoint) {
    }

    S3Store(S3Client s3, S3Location location, Settings settings) {
        this(s3, location, settings.endpoint(), settings.partSize(), settings.lockMode(), settings.lockDays(),
                settings.staleUploadAge(), settings.partsInFlight(), settings.ownNames());
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public Upload create(String name) throws IOException {
        // Fails early, before any source is read, on a wrong bucket, credentials or endpoint.
        try {
            s3.headBucket(b -> b.bucket(location.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw StoreErrors.failed("cannot write to", describe(), "bucket '" + location.bucket()
                        + "' does not exist at " + endpoint, e, false);
            }
            throw failure("cannot write to", e);
        } catch (SdkException e) {
            throw failure("cannot write to", e);
        }
        return new S3Upload(name, location.key(name));
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        List<StoredObject> found = new ArrayList<>();
        String keyPrefix = location.keyPrefix();
        try {
            // The paginator fetches page after page; any failure throws, so the list is all or nothing.
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(keyPrefix + prefix).build())) {
                for (S3Object o : page.contents()) {
                    found.add(new StoredObject(o.key().substring(keyPrefix.length()), o.size()));
                }
            }
        } catch (SdkException e) {
            throw failure("cannot list", e);
        }
        return found;
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        String key = location.key(name);
        try {
            return new StoreInputStream(new ResumingS3Stream(s3, location.bucket(), key, offset, length), describe());
        } catch (StoreIOException e) {
            throw e;
        } catch (IOException e) {
            // the server or a proxy answered another range than asked: the target's fault, not the backup's
            throw StoreErrors.failed("cannot read from", describe(), e.getMessage(), e, false);
        } catch (NoSuchKeyException e) {
            throw StoreErrors.missing(name, describe(), e);
        } catch (SdkException e) {
            throw failure("cannot read from", e);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            s3.deleteObject(d -> d.bucket(location.bucket()).key(location.key(name)));
        } catch (SdkException e) {
            throw failure("cannot delete from", e);
        }
    }

    private StoreIOException failure(String verb, SdkException e) {
        return StoreErrors.failed(verb, describe(), S3Errors.reason(e, location.bucket(), endpoint), e,
                S3Errors.isTransient(e));
    }

    /** HeadObject: the object's metadata, or null if there is none. */
    private HeadObjectResponse head(String key) {
        try {
            return s3.headObject(h -> h.bucket(location.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private final class S3Upload extends PartBufferedUpload {
        private final String name;
        private final String key;
        private final List<Future<CompletedPart>> sending = new ArrayList<>();
        /** The thread sending each part, once one has started it: a part never waits for a thread that died. */
        private final List<AtomicReference<Thread>> senderThreads = new ArrayList<>();
        private final BlockingQueue<byte[]> freeBuffers = new LinkedBlockingQueue<>();
        private int buffersMade = 1; // the one PartBufferedUpload starts with
        private ExecutorService senders;
        private String uploadId;

        S3Upload(String name, String key) {
            super(partSize);
            this.name = name;
            this.key = key;
        }

        @Override
        protected String where() {
            return describe();
        }

        /**
         * Hands the full buffer to a sender thread as the next part (starting the multipart upload with the first)
         * and carries on with a free buffer. At most {@code partsInFlight} parts are on their way: when all
         * buffers are out, the writer waits for one, so memory stays at (in flight + 1) parts.
         */
        @Override
        protected void sendFullPart() throws IOException {
            throwIfAPartFailed();
            try {
                if (uploadId == null) {
                    CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                            .bucket(location.bucket()).key(key);
                    if (lockMode != null) {
                        create.objectLockMode(lockMode).objectLockRetainUntilDate(retainUntil())
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32);
                    }
                    uploadId = s3.createMultipartUpload(create.build()).uploadId();
                }
            } catch (SdkException e) {
                throw failure("cannot write to", e);
            }
            byte[] full = part;
            int length = filled;
            int number = sending.size() + 1;
            AtomicReference<Thread> sender = new AtomicReference<>();
            senderThreads.add(sender);
            sending.add(senders().submit(() -> {
                sender.set(Thread.currentThread());
                try {
                    return uploadPart(full, length, number);
                } finally {
                    freeBuffers.offer(full);
                }
            }));
            part = nextBuffer();
            filled = 0;
        }

        private CompletedPart uploadPart(byte[] buffer, int length, int number) {
            UploadPartResponse r = s3.uploadPart(u -> {
                u.bucket(location.bucket()).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) length);
                if (lockMode != null) {
                    u.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
            }, body(buffer, length));
            return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32(r.checksumCRC32())
                    .build();
        }

        private ExecutorService senders() {
            if (senders == null) {
                senders = Executors.newFixedThreadPool(partsInFlight, r -> {
                    Thread t = new Thread(r, "firesafe-s3-part");
                    t.setDaemon(true);
                    return t;
                });
            }
            return senders;
        }

        /** A free part buffer: a returned one, a new one while fewer than in flight + 1 exist, else wait. */
        private byte[] nextBuffer() throws IOException {
            byte[] free = freeBuffers.poll();
            if (free != null) {
                return free;
            }
            if (buffersMade < partsInFlight + 1) {
                buffersMade++;
                return new byte[partSize];
            }
            try {
                while (true) {
                    free = freeBuffers.poll(50, TimeUnit.MILLISECONDS);
                    if (free != null) {
                        return free;
                    }
                    throwIfAPartFailed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a part upload");
            }
        }

        private void throwIfAPartFailed() throws IOException {
            for (int i = 0; i < sending.size(); i++) {
                if (sending.get(i).isDone()) {
                    partResult(i);
                }
            }
        }

        /** Waits for every part and returns them in order; the first failure is thrown as the target's error. */
        private List<CompletedPart> allParts() throws IOException {
            List<CompletedPart> done = new ArrayList<>();
            for (int i = 0; i < sending.size(); i++) {
                done.add(partResult(i));
            }
            return done;
        }

        private CompletedPart partResult(int part) throws IOException {
            try {
                return StageWait.get(sending.get(part), senderThreads.get(part)::get, "sending part " + (part + 1)
                        + " to " + describe());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SdkException sdk) {
                    throw failure("cannot write to", sdk);
                }
                throw StoreErrors.failed("cannot write to", describe(), String.valueOf(e.getCause()), e.getCause(),
                        false);
            }
        }

        /** A buffer as a body without copying it; a fresh stream per SDK retry. */
        private RequestBody body(byte[] buffer, int length) {
            return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                    "application/octet-stream");
        }

        private Instant retainUntil() {
            return Instant.now().plus(lockDays, ChronoUnit.DAYS);
        }

        @Override
        public void commit() throws IOException {
            if (finished) {
                return;
            }
            try {
                // Check-then-act: another writer could create the name between this check and the completion.
                // Backup ids are unique per run, so only a second process with the same id could race; S3's
                // If-None-Match on completion would close the gap but not every compatible server supports it.
                if (head(key) != null) {
                    throw StoreErrors.exists(name, describe(), null);
                }
                if (uploadId == null) {
                    putWhole();
                } else {
                    if (filled > 0) {
                        sendFullPart();
                    }
                    List<CompletedPart> parts = allParts();
                    s3.completeMultipartUpload(c -> c.bucket(location.bucket()).key(key).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                }
                finished = true;
                stopSenders();
                confirm();
                // This upload is safe; now clear what earlier runs could not abort (server gone mid-upload).
                StaleUploads.sweep(s3, location.bucket(), location.keyPrefix(), ownNames,
                        Instant.now().minus(staleUploadAge), describe());
            } catch (SdkException e) {
                abort();
                throw failure("cannot publish to", e);
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
        }

        /** Parts still on their way are cancelled, so none lands after the upload was aborted. */
        private void stopSenders() {
            if (senders != null) {
                senders.shutdownNow();
                try {
                    senders.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void putWhole() {
            PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(location.bucket()).key(key)
                    .contentLength((long) filled);
            if (lockMode != null) {
                put.objectLockMode(lockMode).objectLockRetainUntilDate(retainUntil())
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32);
            }
            s3.putObject(put.build(), body(part, filled));
        }

        /** The object must now exist with every byte written; a short object is removed, never left as a backup. */
        private void confirm() throws IOException {
            HeadObjectResponse h = head(key);
            if (h == null || h.contentLength() == null || h.contentLength() != written) {
                String found = h == null ? "no object" : h.contentLength() + " bytes";
                try {
                    s3.deleteObject(d -> d.bucket(location.bucket()).key(key));
                } catch (SdkException e) {
                    LOG.warnf("could not remove incomplete %s from %s: %s", key, describe(), e.getMessage());
                }
                throw new StoreIOException("upload to " + describe() + " not confirmed: wrote " + written
                        + " bytes, found " + found, null);
            }
        }

        @Override
        public void abort() {
            if (finished) {
                return;
            }
            finished = true;
            stopSenders();
            if (uploadId != null) {
                try {
                    s3.abortMultipartUpload(a -> a.bucket(location.bucket()).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    LOG.warnf("could not abort multipart upload of %s in %s (%s); its parts stay until the bucket's "
                            + "lifecycle rule removes them", key, describe(), S3Errors.reason(e, location.bucket(),
                            endpoint));
                }
            }
        }
    }
}
