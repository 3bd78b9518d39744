package dev.firesafe.crypto;

import com.google.crypto.tink.StreamingAead;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.concurrent.CompletableFuture;

/**
 * Gets the JDK's AES-GCM up to speed before real data arrives.
 *
 * <p>Measured (docs/crypto-choice.md): in a fresh JVM, AES-GCM runs at ~60 MB/s until the JIT has compiled the
 * GHASH and counter-mode loops with their CPU intrinsics, then at 1-2.5 GB/s. Compilation is triggered by the
 * number of calls, not bytes, so with 64 KiB segments a 1 GB backup is half over before it happens. Pushing
 * ~8 MiB through a throwaway key with 1 KiB segments (thousands of calls) gets the compiled code in place within
 * about a second, in the background, while the real stream already runs (compiled code is shared between
 * threads). Nobody waits for it: a 3 MB backup is done before the warm-up is, and the process simply exits.
 * The throwaway key is random and discarded; nothing it touches is real data.
 */
public final class JitWarmup {

    private static final int SEGMENT = 1024;
    private static final int PLAINTEXT_BYTES = 8 << 20;
    private static final int SAMPLE_BYTES = 1 << 20;
    private static final byte[] AD = "firesafe-warmup".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private JitWarmup() {
    }

    /** Starts warming encryption in the background. */
    public static CompletableFuture<Void> encryption() {
        return CompletableFuture.runAsync(() -> run(false), JitWarmup::daemon);
    }

    /** Starts warming decryption (and the encryption that produces its input) in the background. */
    public static CompletableFuture<Void> decryption() {
        return CompletableFuture.runAsync(() -> run(true), JitWarmup::daemon);
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "firesafe-jit-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run(boolean decrypt) {
        try {
            StreamingAead aead = MasterKey.throwawayAead(SEGMENT);
            byte[] chunk = new byte[64 * 1024];
            // Decryption needs ciphertext: seal a small sample once and open it repeatedly (bounded memory).
            int rounds = decrypt ? PLAINTEXT_BYTES / SAMPLE_BYTES : 1;
            int sealBytes = decrypt ? SAMPLE_BYTES : PLAINTEXT_BYTES;
            ByteArrayOutputStream sealed = new ByteArrayOutputStream(decrypt ? SAMPLE_BYTES * 2 : 0);
            try (OutputStream out = aead.newEncryptingStream(decrypt ? sealed : OutputStream.nullOutputStream(),
                    AD)) {
                for (int done = 0; done < sealBytes; done += chunk.length) {
                    out.write(chunk);
                }
            }
            byte[] ciphertext = sealed.toByteArray();
            for (int i = 0; decrypt && i < rounds; i++) {
                try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(ciphertext), AD)) {
                    while (in.read(chunk) >= 0) {
                        // only the work matters
                    }
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            // a warm-up that fails costs speed, never correctness: the real stream reports real errors
        }
    }
}
