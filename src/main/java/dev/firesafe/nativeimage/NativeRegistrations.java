package dev.firesafe.nativeimage;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native executable needs beyond what Quarkus finds by itself (native-build/README.md):
 * <ul>
 *   <li>Tink's key types are protobuf messages of the full runtime, whose field accessors are found by reflection
 *       (nested builders are included);</li>
 *   <li>zstd-jni's native code reads and writes Java fields through JNI: registered in
 *       {@code META-INF/native-image/dev.firesafe/firesafe/jni-config.json}, its shared libraries included as
 *       resources in application.properties;</li>
 *   <li>the AWS SDK ships its own native-image configuration in its jars, but its checksums find the JDK's
 *       {@code java.util.zip.CRC32C} by name (a constructor cache): registered here, so a native CRC32C is the JDK's
 *       as on the JVM, not the SDK's slower pure-Java fallback. Its CRT-backed checksums and Tink's Conscrypt-backed
 *       X-Wing are substituted ({@link AwsSdkWithoutCrt}, {@link TinkWithoutConscrypt});</li>
 *   <li>picocli's {@code help} command is added to the command line by class (cli.FiresafeCommand), not named in
 *       an annotation Quarkus reads: registered here, as Quarkus registers Firesafe's own commands;</li>
 *   <li>Commons Compress (tar only) and the Fernet reader need nothing.</li>
 * </ul>
 * Only the Quarkus build steps can be checked on the project's machines ({@code -Dquarkus.native.sources-only});
 * the native link itself was not run here.
 */
@RegisterForReflection(classNames = {
        "com.google.crypto.tink.proto.Keyset",
        "com.google.crypto.tink.proto.KeysetInfo",
        "com.google.crypto.tink.proto.KeyData",
        "com.google.crypto.tink.proto.KeyTemplate",
        "com.google.crypto.tink.proto.EncryptedKeyset",
        "com.google.crypto.tink.proto.KeyStatusType",
        "com.google.crypto.tink.proto.OutputPrefixType",
        "com.google.crypto.tink.proto.HashType",
        "com.google.crypto.tink.proto.AesGcmHkdfStreamingKey",
        "com.google.crypto.tink.proto.AesGcmHkdfStreamingKeyFormat",
        "com.google.crypto.tink.proto.AesGcmHkdfStreamingParams",
        "com.google.crypto.tink.proto.HpkeParams",
        "com.google.crypto.tink.proto.HpkeKeyFormat",
        "com.google.crypto.tink.proto.HpkePublicKey",
        "com.google.crypto.tink.proto.HpkePrivateKey",
        "com.google.crypto.tink.proto.HpkeKem",
        "com.google.crypto.tink.proto.HpkeKdf",
        "com.google.crypto.tink.proto.HpkeAead",
        "java.util.zip.CRC32C",
        "picocli.CommandLine$HelpCommand",
})
public final class NativeRegistrations {
    private NativeRegistrations() {
    }
}
