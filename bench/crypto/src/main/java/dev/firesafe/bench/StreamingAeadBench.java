package dev.firesafe.bench;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesCtrHmacStreamingParameters;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Cold-JVM throughput benchmark of Tink streaming AEAD.
 *
 * <pre>
 * usage: StreamingAeadBench MODE KEYTYPE CT_SEGMENT_BYTES PROVIDER SIZE_MIB WRITE_BUF_BYTES [options]
 *   MODE      encrypt | decrypt
 *   KEYTYPE   gcm-hkdf | ctr-hmac
 *   PROVIDER  jdk | conscrypt   (conscrypt = Conscrypt inserted as JCE provider #1)
 * options:
 *   --keyset FILE     encrypt: write the generated keyset here (cleartext JSON, benchmark only);
 *                     decrypt: read the keyset from here (required)
 *   --out FILE        encrypt: write ciphertext to FILE instead of a null sink
 *   --in FILE         decrypt: ciphertext input (required)
 *   --warmup-mb N     before the timed run, encrypt N MiB in-process (into memory) with a
 *                     separate small-segment keyset of the same key type; in decrypt mode
 *                     that ciphertext is then also decrypted in-process
 *   --warmup-seg B    ciphertext segment size of the warm-up keyset (default 4096)
 *   --quiet-trace     do not print the per-128-MiB progress trace
 * </pre>
 *
 * Prints one line starting with "RESULT" (key=value pairs) on stdout. MB = 10^6 bytes.
 */
public final class StreamingAeadBench {

    private static final int MIB = 1 << 20;
    private static final int TRACE_STEP_MIB = 128;
    /** Source plaintext buffer: filled once with pseudo-random bytes and reused. */
    private static final int SOURCE_BYTES = 16 * MIB;

    public static void main(String[] args) throws Exception {
        long mainEnterNanos = System.nanoTime();
        Instant mainEnter = Instant.now();
        if (args.length < 6) {
            System.err.println("usage: StreamingAeadBench encrypt|decrypt gcm-hkdf|ctr-hmac CT_SEGMENT_BYTES "
                    + "jdk|conscrypt SIZE_MIB WRITE_BUF_BYTES [--keyset F] [--out F] [--in F] [--warmup-mb N]");
            System.exit(2);
        }
        String mode = args[0];
        String keyType = args[1];
        int segment = Integer.parseInt(args[2]);
        String provider = args[3];
        long sizeMiB = Long.parseLong(args[4]);
        int writeBuf = Integer.parseInt(args[5]);
        Path keysetFile = null;
        Path outFile = null;
        Path inFile = null;
        int warmupMiB = 0;
        int warmupSeg = 4096;
        boolean trace = true;
        for (int i = 6; i < args.length; i++) {
            switch (args[i]) {
                case "--keyset" -> keysetFile = Path.of(args[++i]);
                case "--out" -> outFile = Path.of(args[++i]);
                case "--in" -> inFile = Path.of(args[++i]);
                case "--warmup-mb" -> warmupMiB = Integer.parseInt(args[++i]);
                case "--warmup-seg" -> warmupSeg = Integer.parseInt(args[++i]);
                case "--quiet-trace" -> trace = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }

        // ---- setup (not part of the data phase) ----
        long setupStart = System.nanoTime();
        if (provider.equals("conscrypt")) {
            // Reflection keeps the class loadable when Conscrypt is absent from the classpath.
            Class<?> c = Class.forName("org.conscrypt.Conscrypt");
            java.security.Provider p = (java.security.Provider) c.getMethod("newProvider").invoke(null);
            Security.insertProviderAt(p, 1);
        } else if (!provider.equals("jdk")) {
            throw new IllegalArgumentException("provider must be jdk or conscrypt");
        }
        StreamingAeadConfig.register();

        KeysetHandle handle;
        if (mode.equals("decrypt")) {
            if (keysetFile == null || inFile == null) {
                throw new IllegalArgumentException("decrypt needs --keyset and --in");
            }
            handle = TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(keysetFile, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
        } else if (mode.equals("encrypt")) {
            handle = KeysetHandle.generateNew(parameters(keyType, segment));
            if (keysetFile != null) {
                Files.writeString(keysetFile,
                        TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get()),
                        StandardCharsets.UTF_8);
            }
        } else {
            throw new IllegalArgumentException("mode must be encrypt or decrypt");
        }
        StreamingAead aead = handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        String gcmProvider = Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
        String ctrProvider = Cipher.getInstance("AES/CTR/NoPadding").getProvider().getName();
        String macProvider = Mac.getInstance("HmacSHA256").getProvider().getName();

        byte[] source = new byte[SOURCE_BYTES];
        fillPseudoRandom(source, 0x5eedF11e5afeL);
        long setupNanos = System.nanoTime() - setupStart;

        // ---- optional in-process warm-up ----
        long warmupNanos = 0;
        if (warmupMiB > 0) {
            long w0 = System.nanoTime();
            KeysetHandle small = KeysetHandle.generateNew(parameters(keyType, warmupSeg));
            StreamingAead smallAead = small.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
            java.io.ByteArrayOutputStream ct = new java.io.ByteArrayOutputStream(warmupMiB * MIB + MIB);
            try (OutputStream enc = smallAead.newEncryptingStream(ct, new byte[0])) {
                pump(enc, source, (long) warmupMiB * MIB, 64 * 1024, null);
            }
            if (mode.equals("decrypt")) {
                // JDK GCM decryption is a separate code path: warm it up too.
                byte[] buf = new byte[64 * 1024];
                try (InputStream dec = smallAead.newDecryptingStream(
                        new java.io.ByteArrayInputStream(ct.toByteArray()), new byte[0])) {
                    while (dec.read(buf, 0, buf.length) > 0) {
                        // discard
                    }
                }
            }
            warmupNanos = System.nanoTime() - w0;
        }

        // ---- data phase ----
        long plaintextBytes = sizeMiB * MIB;
        long ciphertextBytes;
        List<long[]> marks = new ArrayList<>();
        long t0 = System.nanoTime();
        if (mode.equals("encrypt")) {
            CountingNullOutputStream counter = new CountingNullOutputStream();
            OutputStream target = counter;
            FileOutputStream fos = null;
            if (outFile != null) {
                fos = new FileOutputStream(outFile.toFile());
                target = new TeeCount(new BufferedOutputStream(fos, MIB), counter);
            }
            try (OutputStream enc = aead.newEncryptingStream(target, new byte[0])) {
                pump(enc, source, plaintextBytes, writeBuf, marks);
            }
            ciphertextBytes = counter.count;
        } else {
            ciphertextBytes = Files.size(inFile);
            long got = 0;
            byte[] buf = new byte[writeBuf];
            long nextMark = (long) TRACE_STEP_MIB * MIB;
            try (InputStream in = new FileInputStream(inFile.toFile());
                 InputStream dec = aead.newDecryptingStream(in, new byte[0])) {
                int n;
                while ((n = dec.read(buf, 0, buf.length)) > 0) {
                    got += n;
                    if (got >= nextMark) {
                        marks.add(new long[] {got, System.nanoTime()});
                        nextMark += (long) TRACE_STEP_MIB * MIB;
                    }
                }
            }
            if (got != plaintextBytes) {
                throw new IllegalStateException("decrypted " + got + " bytes, expected " + plaintextBytes);
            }
        }
        long dataNanos = System.nanoTime() - t0;
        long endNanos = System.nanoTime();

        double mbps = plaintextBytes / (dataNanos / 1e9) / 1e6;
        double overheadPct = 100.0 * (ciphertextBytes - plaintextBytes) / plaintextBytes;
        long jvmStartToMainMs = -1;
        var start = ProcessHandle.current().info().startInstant();
        if (start.isPresent()) {
            jvmStartToMainMs = java.time.Duration.between(start.get(), mainEnter).toMillis();
        }
        if (trace && !marks.isEmpty()) {
            StringBuilder sb = new StringBuilder("TRACE per-" + TRACE_STEP_MIB + "MiB MB/s:");
            long prevBytes = 0;
            long prevT = t0;
            for (long[] m : marks) {
                double r = (m[0] - prevBytes) / ((m[1] - prevT) / 1e9) / 1e6;
                sb.append(String.format(Locale.ROOT, " %.0f", r));
                prevBytes = m[0];
                prevT = m[1];
            }
            System.out.println(sb);
        }
        System.out.println(String.format(Locale.ROOT,
                "RESULT mode=%s key=%s seg=%d provider=%s sizeMiB=%d writeBuf=%d warmupMiB=%d warmupSeg=%d "
                        + "mbps=%.1f dataMs=%d setupMs=%d warmupMs=%d startToMainMs=%d mainToEndMs=%d "
                        + "ptBytes=%d ctBytes=%d overheadPct=%.4f gcmProv=%s ctrProv=%s macProv=%s",
                mode, keyType, segment, provider, sizeMiB, writeBuf, warmupMiB, warmupSeg,
                mbps, dataNanos / 1_000_000, setupNanos / 1_000_000, warmupNanos / 1_000_000,
                jvmStartToMainMs, (endNanos - mainEnterNanos) / 1_000_000,
                plaintextBytes, ciphertextBytes, overheadPct, gcmProvider, ctrProvider, macProvider));
    }

    static Parameters parameters(String keyType, int ciphertextSegmentSize) throws Exception {
        return switch (keyType) {
            case "gcm-hkdf" -> AesGcmHkdfStreamingParameters.builder()
                    .setKeySizeBytes(32)
                    .setDerivedAesGcmKeySizeBytes(32)
                    .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
                    .setCiphertextSegmentSizeBytes(ciphertextSegmentSize)
                    .build();
            case "ctr-hmac" -> AesCtrHmacStreamingParameters.builder()
                    .setKeySizeBytes(32)
                    .setDerivedKeySizeBytes(32)
                    .setHkdfHashType(AesCtrHmacStreamingParameters.HashType.SHA256)
                    .setHmacHashType(AesCtrHmacStreamingParameters.HashType.SHA256)
                    .setHmacTagSizeBytes(32)
                    .setCiphertextSegmentSizeBytes(ciphertextSegmentSize)
                    .build();
            default -> throw new IllegalArgumentException("key type must be gcm-hkdf or ctr-hmac");
        };
    }

    /** Writes {@code total} bytes taken cyclically from {@code source} in chunks of {@code chunk}. */
    static void pump(OutputStream out, byte[] source, long total, int chunk, List<long[]> marks)
            throws IOException {
        long written = 0;
        int off = 0;
        long nextMark = (long) TRACE_STEP_MIB * MIB;
        while (written < total) {
            int n = (int) Math.min(chunk, total - written);
            if (off + n > source.length) {
                off = 0;
            }
            out.write(source, off, n);
            off += n;
            written += n;
            if (marks != null && written >= nextMark) {
                marks.add(new long[] {written, System.nanoTime()});
                nextMark += (long) TRACE_STEP_MIB * MIB;
            }
        }
    }

    /** SplittableRandom longs: not compressible, not all-zero, ~GB/s to generate. */
    static void fillPseudoRandom(byte[] b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        for (; i < b.length; i++) {
            b[i] = (byte) r.nextInt();
        }
    }

    static final class CountingNullOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    static final class TeeCount extends OutputStream {
        private final OutputStream out;
        private final CountingNullOutputStream counter;

        TeeCount(OutputStream out, CountingNullOutputStream counter) {
            this.out = out;
            this.counter = counter;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            counter.count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            counter.count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
