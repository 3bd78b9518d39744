package dev.firesafe.nativeimage;

import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeDecrypt;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GraalVM substitutions of this package run only inside a native executable; here, on the JVM, we check that
 * they still fit the libraries on the class path (each one replaces a method that exists, with the same signature),
 * that they are switched on for this class path, and that what they do is what the JVM does on the code path they
 * replace: Tink's X-Wing HPKE without Conscrypt, the AWS SDK's CRT checksums without the CRT.
 */
class SubstitutionsTest {

    /** Every {@code @TargetClass} class compiled into this package. */
    private static List<Class<?>> substitutionClasses() throws Exception {
        Path dir = Path.of(NativeRegistrations.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/firesafe/nativeimage");
        List<Class<?>> found = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(".class")) {
                    Class<?> c = Class.forName("dev.firesafe.nativeimage." + n.substring(0, n.length() - 6), false,
                            SubstitutionsTest.class.getClassLoader());
                    if (c.isAnnotationPresent(TargetClass.class)) {
                        found.add(c);
                    }
                }
            }
        }
        return found;
    }

    @Test
    void everySubstitutedMethodExistsInTheLibraryWithTheSameSignature() throws Exception {
        List<Class<?>> substitutions = substitutionClasses();
        assertEquals(3, substitutions.size(), "substitution classes: " + substitutions);
        int methods = 0;
        for (Class<?> s : substitutions) {
            Class<?> target = Class.forName(s.getAnnotation(TargetClass.class).className(), false,
                    SubstitutionsTest.class.getClassLoader());
            for (Method m : s.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(Substitute.class)) {
                    continue;
                }
                Method original = target.getDeclaredMethod(m.getName(), m.getParameterTypes());
                assertEquals(original.getReturnType(), m.getReturnType(), original.toString());
                assertEquals(Modifier.isStatic(original.getModifiers()), Modifier.isStatic(m.getModifiers()),
                        original.toString());
                assertTrue(Arrays.asList(original.getExceptionTypes()).containsAll(
                        Arrays.asList(m.getExceptionTypes())), original + " declares " + Arrays.toString(
                        m.getExceptionTypes()));
                methods++;
            }
        }
        assertEquals(5, methods);
    }

    /** Neither optional library is a dependency, so a native build of this class path substitutes both. */
    @Test
    void theSubstitutionsApplyToThisClassPath() {
        assertTrue(new TinkWithoutConscrypt.ConscryptAbsent().getAsBoolean());
        assertTrue(new AwsSdkWithoutCrt.CrtAbsent().getAsBoolean());
        // The presence check itself finds classes that are there.
        assertTrue(OptionalClasses.allPresent("com.google.crypto.tink.hybrid.internal.XWingHpkeConscryptDecrypt",
                "software.amazon.awssdk.checksums.internal.ChecksumProvider"));
        assertFalse(OptionalClasses.allPresent("com.google.crypto.tink.hybrid.internal.HpkeDecrypt",
                TinkWithoutConscrypt.CONSCRYPT_CLASSES[0]));
    }

    private static HpkeParameters xWing() throws GeneralSecurityException {
        return HpkeParameters.builder().setVariant(HpkeParameters.Variant.NO_PREFIX)
                .setKemId(HpkeParameters.KemId.X_WING).setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
                .setAeadId(HpkeParameters.AeadId.AES_256_GCM).build();
    }

    /** Tink's HPKE with an X-Wing key fails on the JVM with the exception type the native substitutes throw. */
    @Test
    void xWingWithoutConscryptIsAGeneralSecurityExceptionOnTheJvmAsInTheExecutable() throws Exception {
        HpkePublicKey pub = HpkePublicKey.create(xWing(), Bytes.copyFrom(new byte[1216]), null);
        HpkePrivateKey priv = HpkePrivateKey.create(pub, SecretBytes.copyFrom(new byte[32],
                InsecureSecretKeyAccess.get()));
        assertThrows(GeneralSecurityException.class, () -> HpkeEncrypt.create(pub));
        assertThrows(GeneralSecurityException.class, () -> HpkeDecrypt.create(priv));
        assertTrue(TinkWithoutConscrypt.xWingUnavailable() instanceof GeneralSecurityException);
    }

    /** What the SDK does without the CRT, and the same from the helpers the native substitutes call. */
    @Test
    void crtChecksumsFailWithTheSdksOwnMessageOnTheJvmAsInTheExecutable() {
        RuntimeException crc64 = assertThrows(RuntimeException.class,
                () -> SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.CRC64NVME));
        assertEquals(crc64.getMessage(), AwsSdkWithoutCrt.crc64NvmeUnavailable().getMessage());
        for (ChecksumAlgorithm xx : List.of(DefaultChecksumAlgorithm.XXHASH64, DefaultChecksumAlgorithm.XXHASH3,
                DefaultChecksumAlgorithm.XXHASH128)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> SdkChecksum.forAlgorithm(xx));
            assertEquals(e.getMessage(), AwsSdkWithoutCrt.xxHashUnavailable(xx).getMessage());
        }
    }

    /** CRC32C is the JDK's (the class registered for reflection in the executable), and no CRT one is tried. */
    @Test
    void crc32cIsTheJdksAndTheCrtVariantIsNull() throws Exception {
        Class<?> provider = Class.forName("software.amazon.awssdk.checksums.internal.ChecksumProvider");
        Method crt = provider.getDeclaredMethod("createCrtCrc32C");
        crt.setAccessible(true);
        assertNull(crt.invoke(null));
        Method java = provider.getDeclaredMethod("createJavaCrc32C");
        java.setAccessible(true);
        assertTrue(java.invoke(null) != null, "the SDK finds java.util.zip.CRC32C by name");

        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        SdkChecksum sdk = SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.CRC32C);
        sdk.update(check, 0, check.length);
        assertEquals(0xE3069283L, sdk.getValue()); // the CRC-32C check value (RFC 3720, appendix B.4)
        CRC32C jdk = new CRC32C();
        jdk.update(check);
        assertEquals(jdk.getValue(), sdk.getValue());
    }
}
