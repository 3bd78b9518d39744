package dev.firesafe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged application ({@code target/quarkus-app/quarkus-run.jar}) as a separate process, exactly as
 * the README tells users to, and captures exit code, stdout and stderr.
 */
public final class Cli {

    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private final List<String> unset = new ArrayList<>();
    private final List<String> prefix = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Path workDir;

    public Cli(Path workDir) {
        this.workDir = workDir;
        // isolate from the developer's own key and default target
        env.put("HOME", workDir.resolve("home").toString());
    }

    public static Path jar() {
        String jar = System.getProperty("firesafe.jar", "target/quarkus-app/quarkus-run.jar");
        Path p = Path.of(jar).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("packaged jar missing: " + p + " (run ./mvnw verify)");
        }
        return p;
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs {@code keygen} and uses the new master key (FIRESAFE_MASTER_KEY) from then on; returns it. */
    public String useNewKey() {
        Result keygen = run("keygen");
        if (keygen.exitCode() != 0) {
            throw new IllegalStateException("keygen failed: " + keygen);
        }
        String[] lines = keygen.stdout().strip().split("\n");
        String key = lines[lines.length - 1].strip();
        env("FIRESAFE_MASTER_KEY", key);
        return key;
    }

    public String envValue(String name) {
        return env.get(name);
    }

    public Cli withoutEnv(String name) {
        env.remove(name);
        return this;
    }

    /**
     * Runs the commands in the POSIX locale, as cron, a systemd unit without a locale or a slim container does:
     * every LC_* and LANG variable inherited from the test run is removed, then LANG=C.
     */
    public Cli posixLocale() {
        for (String name : System.getenv().keySet()) {
            if (name.startsWith("LC_") || name.equals("LANGUAGE")) {
                unset.add(name);
            }
        }
        env.put("LANG", "C");
        return this;
    }

    /** Runs the commands as {@code user} through runuser(1) (the test must run as root; the environment is kept). */
    public Cli asUser(String user) {
        prefix.addAll(List.of("runuser", "-u", user, "--"));
        return this;
    }

    public Cli jvm(String option) {
        jvmOptions.add(option);
        return this;
    }

    public ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Duser.home=" + workDir.resolve("home"));
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().remove("FIRESAFE_MASTER_KEY");
        pb.environment().remove("FIRESAFE_MASTER_KEY_FILE");
        unset.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        return pb;
    }

    public Result run(String... args) {
        try {
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            Process p = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("firesafe " + String.join(" ", args) + " did not finish");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
