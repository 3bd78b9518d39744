package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import com.macasaet.fernet.Key;
import com.macasaet.fernet.Token;
import com.macasaet.fernet.TokenValidationException;
import com.macasaet.fernet.Validator;
import dev.firesafe.core.FiresafeException;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Migration path for the system Firesafe replaces: its backups are one Fernet token (AES-128-CBC + HMAC-SHA256,
 * the whole message at once) holding a tar.gz, under a url-safe base64 key ({@code AITHER_MASTER_KEY}). The token
 * is checked and decrypted by the fernet-java8 library, then extracted with the same safety rules as a Firesafe
 * restore (no absolute paths, no '..', nothing written through a symbolic link).
 *
 * <p>Fernet is not a streaming format: the token and the plaintext are held in memory, so this path refuses
 * tokens over {@value #MAX_TOKEN_BYTES} bytes (the original system's backups were a few MB).
 */
public final class LegacyFernetRestore {

    static final long MAX_TOKEN_BYTES = 512L * 1024 * 1024;

    /** Fernet's timestamp says when a backup was made; an old backup is exactly what a restore wants. */
    private static final Validator<byte[]> NO_EXPIRY = new Validator<>() {
        @Override
        public TemporalAmount getTimeToLive() {
            return Duration.ofDays(365L * 100);
        }

        @Override
        public Function<byte[], byte[]> getTransformer() {
            return Function.identity();
        }
    };

    private LegacyFernetRestore() {
    }

    /** What was restored. */
    public record Result(long files, long bytes, String tokenCreated) {
    }

    public static Result restore(Path tokenFile, String keyText, String keyOrigin, Path dest, boolean force) {
        Key key;
        try {
            key = new Key(keyText.strip());
        } catch (RuntimeException e) {
            throw FiresafeException.key(keyOrigin + " is not a Fernet key (44 characters of url-safe base64)");
        }
        Token token = readToken(tokenFile);
        byte[] plain;
        try {
            plain = token.validateAndDecrypt(key, NO_EXPIRY);
        } catch (TokenValidationException e) {
            throw FiresafeException.key("the Fernet signature of " + tokenFile + " does not match: wrong key ("
                    + keyOrigin + ") or a damaged file");
        }
        RestoreService.prepareDestination(dest, force);
        try (InputStream archive = unpackGzip(plain)) {
            ArchiveReader.Report r = new ArchiveReader(done -> { }, false).read(archive, new Extractor(dest, force, false, null));
            return new Result(r.files(), r.bytes(), token.getTimestamp().toString());
        } catch (IOException e) {
            throw RestoreService.destinationFailure(e, dest, tokenFile.toString()).orElseGet(() ->
                    FiresafeException.integrity("the decrypted archive in " + tokenFile + " is damaged: "
                            + e.getMessage(), e));
        }
    }

    private static Token readToken(Path tokenFile) {
        try {
            long size = Files.size(tokenFile);
            if (size > MAX_TOKEN_BYTES) {
                throw FiresafeException.usage(tokenFile + " is " + size + " bytes; Fernet tokens are read whole "
                        + "and this path stops at " + MAX_TOKEN_BYTES);
            }
            return Token.fromString(Files.readString(tokenFile, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "cannot read " + tokenFile + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof FiresafeException fe) {
                throw fe;
            }
            throw FiresafeException.integrity(tokenFile + " is not a Fernet token");
        }
    }

    private static InputStream unpackGzip(byte[] plain) throws IOException {
        InputStream in = new BufferedInputStream(new ByteArrayInputStream(plain));
        boolean gzip = plain.length > 2 && (plain[0] & 0xff) == 0x1f && (plain[1] & 0xff) == 0x8b;
        return gzip ? new GZIPInputStream(in) : in;
    }
}
