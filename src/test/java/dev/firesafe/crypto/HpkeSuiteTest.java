package dev.firesafe.crypto;

import com.google.crypto.tink.hybrid.HpkeParameters;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Write-only keys go through Tink's HPKE factories ({@code HpkeEncrypt.create}, {@code HpkeDecrypt.create}), the
 * methods whose X-Wing branch the native executable substitutes (dev.firesafe.nativeimage.TinkWithoutConscrypt):
 * Firesafe's suite must stay off that branch, and wrapping must work through these factories as it is.
 */
class HpkeSuiteTest {

    private static final byte[] CONTEXT = "backup 20261206T000000.000Z-00000001 plan p".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSuiteIsDhkemX25519WhichNeedsNoConscrypt() {
        assertEquals(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256, RecoveryKey.HPKE.getKemId());
        assertEquals(HpkeParameters.KdfId.HKDF_SHA256, RecoveryKey.HPKE.getKdfId());
        assertEquals(HpkeParameters.AeadId.AES_256_GCM, RecoveryKey.HPKE.getAeadId());
        assertEquals(HpkeParameters.Variant.NO_PREFIX, RecoveryKey.HPKE.getVariant());
    }

    @Test
    void aWrappedKeyOpensWithItsRecoveryKeyEvenAfterRotationAndOnlyInItsContext() {
        RecoveryKey recovery = RecoveryKey.generate();
        PublicKey pub = recovery.publicKey();
        byte[] dataKey = new byte[32];
        new java.security.SecureRandom().nextBytes(dataKey);
        byte[] wrapped = pub.wrap(dataKey, CONTEXT);

        assertArrayEquals(dataKey, recovery.unwrap(pub.id(), wrapped, CONTEXT, "backup"));
        RecoveryKey rotated = recovery.rotate();
        assertArrayEquals(dataKey, rotated.unwrap(pub.id(), wrapped, CONTEXT, "backup"));
        // Parsed back from its escrow text, as `restore` reads it.
        RecoveryKey parsed = RecoveryKey.parse(rotated.toEscrowText(), "test");
        assertArrayEquals(dataKey, parsed.unwrap(pub.id(), wrapped, CONTEXT, "backup"));

        byte[] otherContext = "backup 20261206T000000.000Z-00000002 plan p".getBytes(StandardCharsets.UTF_8);
        FiresafeException e = assertThrows(FiresafeException.class,
                () -> recovery.unwrap(pub.id(), wrapped, otherContext, "backup"));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
    }
}
