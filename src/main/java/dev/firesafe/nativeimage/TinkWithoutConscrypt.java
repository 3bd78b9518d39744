package dev.firesafe.nativeimage;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

import java.security.GeneralSecurityException;
import java.util.function.BooleanSupplier;

/**
 * Tink's X-Wing HPKE without Conscrypt, for the native executable (native-build/README.md, "Tink and Conscrypt").
 *
 * <p>Tink 1.22's {@code HpkeDecrypt.create} and {@code HpkeEncrypt.create} hand X-Wing keys to
 * {@code XWingHpkeConscrypt{De,En}crypt}, whose {@code create} methods use Conscrypt's classes directly. Conscrypt is
 * not a Firesafe dependency, so under {@code --link-at-build-time} the builder stops on the unresolved
 * {@code org.conscrypt.XdhKeySpec}. On the JVM the same call, without Conscrypt, ends in a
 * {@link GeneralSecurityException} (Tink checks for the provider first); the substitutions below throw that exception
 * straight away, so the native executable behaves as the JVM does and the Conscrypt-backed code is never compiled.
 * Firesafe's recovery and write-only keys are DHKEM-X25519, which never takes this path ({@code HpkeSuiteTest};
 * {@code SubstitutionsTest} checks the JVM's exception).
 *
 * <p>They apply only while Conscrypt's HPKE classes are absent: a build that adds Conscrypt gets Tink's own code.
 */
final class TinkWithoutConscrypt {
    /** What Tink's X-Wing classes import from Conscrypt. */
    static final String[] CONSCRYPT_CLASSES = {
            "org.conscrypt.XdhKeySpec", "org.conscrypt.HpkeSuite",
            "org.conscrypt.HpkeContextSender", "org.conscrypt.HpkeContextRecipient"};

    private TinkWithoutConscrypt() {
    }

    /** The exception the substituted factories throw: the type the JVM throws for X-Wing without Conscrypt. */
    static GeneralSecurityException xWingUnavailable() {
        return new GeneralSecurityException("X-Wing HPKE needs Conscrypt, which this executable was built without");
    }

    static final class ConscryptAbsent implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return !OptionalClasses.allPresent(CONSCRYPT_CLASSES);
        }
    }
}

@TargetClass(className = "com.google.crypto.tink.hybrid.internal.XWingHpkeConscryptDecrypt",
        onlyWith = TinkWithoutConscrypt.ConscryptAbsent.class)
final class Target_com_google_crypto_tink_hybrid_internal_XWingHpkeConscryptDecrypt {
    @Substitute
    public static HybridDecrypt create(HpkePrivateKey privateKey) throws GeneralSecurityException {
        throw TinkWithoutConscrypt.xWingUnavailable();
    }
}

@TargetClass(className = "com.google.crypto.tink.hybrid.internal.XWingHpkeConscryptEncrypt",
        onlyWith = TinkWithoutConscrypt.ConscryptAbsent.class)
final class Target_com_google_crypto_tink_hybrid_internal_XWingHpkeConscryptEncrypt {
    @Substitute
    public static HybridEncrypt create(HpkePublicKey key) throws GeneralSecurityException {
        throw TinkWithoutConscrypt.xWingUnavailable();
    }
}
