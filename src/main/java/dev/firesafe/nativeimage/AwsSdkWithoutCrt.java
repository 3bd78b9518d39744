package dev.firesafe.nativeimage;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;

import java.util.function.BooleanSupplier;

/**
 * The AWS SDK's checksums without the AWS CRT library, for the native executable (native-build/README.md,
 * "AWS SDK and the CRT").
 *
 * <p>{@code software.amazon.awssdk.checksums.internal.ChecksumProvider} (SDK 2.57.8) builds CRC32C, CRC64NVME and
 * the xxHash checksums from the CRT's classes when {@code software.amazon.awssdk.crt:aws-crt} is on the class path,
 * and checks for it at run time; the CRT classes are named in its bytecode all the same, so under
 * {@code --link-at-build-time} the builder stops on the unresolved {@code CRC64NVME}. Firesafe does not ship the CRT
 * (a 20 MB native library per platform). The substitutions below replace just the three CRT-backed methods with
 * what they do on the JVM when the CRT is absent: no CRT CRC32C (the SDK then uses the JDK's
 * {@code java.util.zip.CRC32C}), and the SDK's own "add aws-crt" errors for CRC64NVME and xxHash
 * ({@code SubstitutionsTest} checks those on the JVM). Firesafe writes CRC32 part checksums and validates none on
 * reads ({@code S3Clients}), so none of these is on its path.
 *
 * <p>They apply only while the CRT is absent: a build that adds aws-crt gets the SDK's own code.
 */
final class AwsSdkWithoutCrt {
    static final String CRT_MODULE = "software.amazon.awssdk.crt:aws-crt";
    static final String CRT_CRC64NVME = "software.amazon.awssdk.crt.checksums.CRC64NVME";
    static final String CRT_XXHASH = "software.amazon.awssdk.crt.checksums.XXHash";
    static final String CRT_CRC32C = "software.amazon.awssdk.crt.checksums.CRC32C";

    private AwsSdkWithoutCrt() {
    }

    /** The SDK's own error for CRC64NVME without the CRT (its text, so logs read the same as on the JVM). */
    static RuntimeException crc64NvmeUnavailable() {
        return new RuntimeException("Could not load " + CRT_CRC64NVME + ". Add dependency on '" + CRT_MODULE
                + "' module to enable CRC64NVME feature.");
    }

    /** The SDK's own error for an xxHash algorithm without the CRT. */
    static RuntimeException xxHashUnavailable(ChecksumAlgorithm algorithm) {
        return new RuntimeException(String.format("Could not load %s for algorithm: %s. Add dependency on '%s' module.",
                CRT_XXHASH, algorithm.algorithmId(), CRT_MODULE));
    }

    static final class CrtAbsent implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return !OptionalClasses.allPresent(CRT_CRC64NVME, CRT_XXHASH, CRT_CRC32C);
        }
    }
}

@TargetClass(className = "software.amazon.awssdk.checksums.internal.ChecksumProvider",
        onlyWith = AwsSdkWithoutCrt.CrtAbsent.class)
final class Target_software_amazon_awssdk_checksums_internal_ChecksumProvider {

    /** On the JVM without the CRT this returns null too, and the caller falls back to the SDK's own CRC32C. */
    @Substitute
    static SdkChecksum createCrtCrc32C() {
        return null;
    }

    @Substitute
    static SdkChecksum crc64NvmeCrtImplementation() {
        throw AwsSdkWithoutCrt.crc64NvmeUnavailable();
    }

    @Substitute
    static SdkChecksum crtXxHash(ChecksumAlgorithm algorithm) {
        throw AwsSdkWithoutCrt.xxHashUnavailable(algorithm);
    }
}
