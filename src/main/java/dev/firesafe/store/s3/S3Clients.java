package dev.firesafe.store.s3;

import dev.firesafe.core.IoMessages;
import dev.firesafe.core.FiresafeException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Builds the SDK client for S3 targets from {@code firesafe.s3.*} and the environment's credentials. */
final class S3Clients {
    private S3Clients() {
    }

    static S3Client build(S3Config config, UnaryOperator<String> env) {
        var builder = S3Client.builder()
                // The JDK's HttpURLConnection: no extra threads or pools for a short-lived command-line process.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(env))
                .forcePathStyle(config.pathStyle())
                // Self-hosted S3 servers often reject the SDK's newer default trailing checksums; the archive is
                // authenticated end to end anyway (a damaged byte fails decryption at restore).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        config.endpoint().filter(e -> !e.isBlank()).ifPresent(e -> builder.endpointOverride(endpointUri(e)));
        return builder.build();
    }

    /** Where the bucket lives, for messages: the endpoint without any user info, or "AWS (REGION)". */
    static String describeEndpoint(S3Config config) {
        return config.endpoint().filter(e -> !e.isBlank())
                .map(e -> {
                    URI u = endpointUri(e);
                    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
                })
                .orElse("AWS (" + config.region() + ")");
    }

    private static URI endpointUri(String endpoint) {
        try {
            URI u = URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            if (u.getUserInfo() != null) {
                throw FiresafeException.usage("firesafe.s3.endpoint must not contain credentials; use "
                        + "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or their _FILE variants)");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw FiresafeException.usage("bad firesafe.s3.endpoint: use http(s)://HOST[:PORT]");
        }
    }

    /**
     * {@code AWS_ACCESS_KEY_ID_FILE} / {@code AWS_SECRET_ACCESS_KEY_FILE} (Docker and Kubernetes secrets) when set,
     * each falling back to its plain variable; otherwise the SDK's default chain (environment, system properties,
     * profile, web identity, container and instance roles).
     */
    static AwsCredentialsProvider credentials(UnaryOperator<String> env) {
        String idFile = env.apply("AWS_ACCESS_KEY_ID_FILE");
        String secretFile = env.apply("AWS_SECRET_ACCESS_KEY_FILE");
        if (isBlank(idFile) && isBlank(secretFile)) {
            return DefaultCredentialsProvider.builder().build();
        }
        String id = isBlank(idFile) ? env.apply("AWS_ACCESS_KEY_ID") : readSecret("AWS_ACCESS_KEY_ID_FILE", idFile);
        String secret = isBlank(secretFile) ? env.apply("AWS_SECRET_ACCESS_KEY")
                : readSecret("AWS_SECRET_ACCESS_KEY_FILE", secretFile);
        if (isBlank(id) || isBlank(secret)) {
            throw FiresafeException.usage("S3 credentials incomplete: set both AWS_ACCESS_KEY_ID(_FILE) and "
                    + "AWS_SECRET_ACCESS_KEY(_FILE)");
        }
        String token = env.apply("AWS_SESSION_TOKEN");
        AwsCredentials creds = isBlank(token) ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token);
        return StaticCredentialsProvider.create(creds);
    }

    private static String readSecret(String variable, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // the file's name is not secret; its content never appears anywhere
            throw FiresafeException.usage("cannot read " + variable + " (" + file + "): "
                    + IoMessages.describe(e));
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
