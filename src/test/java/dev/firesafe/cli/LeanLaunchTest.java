package dev.firesafe.cli;

import dev.firesafe.app.Services;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a one-shot command may start without Quarkus, and whether its configuration is complete. */
class LeanLaunchTest {

    @TempDir
    Path tmp;

    private SmallRyeConfig config(Map<String, String> values) throws IOException {
        Map<String, String> all = new HashMap<>(values);
        all.putIfAbsent("firesafe.functions-dir", tmp.resolve("functions").toString());
        all.putIfAbsent("firesafe.target", tmp.resolve("backups").toString());
        // the defaults' ${user.home} expanded into the test's folder: unexpanded, a literal '${user.home}' folder
        // with a content key appeared in the project's root (and was once committed)
        return LeanConfig.withMappings(new SmallRyeConfigBuilder()).addDefaultInterceptors()
                .withDefaultValues(Map.of("user.home", tmp.resolve("home").toString()))
                .withSources(new PropertiesConfigSource(all, "test", 500)).build();
    }

    private Optional<String> reason(Map<String, String> values, String... args) throws IOException {
        SmallRyeConfig config = config(values);
        Services services = Services.of(config);
        return LeanLaunch.quarkusNeeded(LeanLaunch.values(LeanLaunch.commandLine(services).parseArgs(args)), config,
                services.plans());
    }

    @Test
    void localAndS3CommandsStartWithoutQuarkus() throws IOException {
        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/db.yaml"), "plan:\n  sources:\n    - path: /srv\n  targets:\n"
                + "    - s3://bucket/prefix\n    - /mnt/usb\n");
        assertEquals(Optional.empty(), reason(Map.of(), "backup", "--plan", "db"));
        assertEquals(Optional.empty(), reason(Map.of(), "list", "--target", "/mnt/usb"));
    }

    @Test
    void gitHubTargetsNeedQuarkusWhereverTheyAreNamed() throws IOException {
        assertTrue(reason(Map.of(), "list", "--target", "github://o/r/b").isPresent());
        assertTrue(reason(Map.of(), "list", "--target=GitHub://o/r/b").isPresent());
        assertTrue(reason(Map.of(), "restore", "--legacy-fernet", "github://o/r/f.enc", "--to", "x").isPresent());
        assertTrue(reason(Map.of("firesafe.target", "github://o/r/b"), "list").isPresent());
        assertTrue(reason(Map.of("firesafe.plans.db.targets", "/a,github://o/r/b"), "backup").isPresent());

        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/broken.yaml"), "plan: [");
        Files.writeString(tmp.resolve("functions/offsite.yaml"), "plan:\n  sources:\n    - path: /srv\n"
                + "  targets:\n    - github://owner/repo/backups\n");
        // another plan's target counts too: `list` or `drill` may read any of them; a broken file stops nothing
        assertEquals(Optional.of("a github:// target in the configuration or the plans"),
                reason(Map.of(), "backup", "--source", "/etc"));
    }

    @Test
    void jsonLogsAndTheSwitchNeedQuarkus() throws IOException {
        assertEquals(Optional.of("JSON logs"), reason(Map.of("quarkus.log.console.json.enabled", "true"), "list"));
        assertEquals(Optional.of("firesafe.cli.fast-start=false"),
                reason(Map.of("firesafe.cli.fast-start", "false"), "list"));
    }

    /**
     * Issue #17 point 3: a function file is read once per process. The fast start reads every plan's targets before
     * the command loads its own function, and the host's triggers, health and metrics ask the catalog again; all of
     * them see what the first read found, though the file has changed since (a second read would see the change).
     */
    @Test
    void aFunctionFileIsReadOncePerProcess() throws IOException {
        Path file = Files.createDirectories(tmp.resolve("functions")).resolve("app.yaml");
        Files.writeString(file, "plan:\n  sources:\n    - path: /srv\n  targets:\n    - /mnt/first\n");
        SmallRyeConfig config = config(Map.of());
        Services services = Services.of(config);
        assertEquals(Optional.empty(), LeanLaunch.quarkusNeeded(LeanLaunch.values(LeanLaunch.commandLine(services)
                .parseArgs("run-function", "app")), config, services.plans()));

        Files.writeString(file, "plan:\n  sources:\n    - path: /srv\n  targets:\n    - /mnt/second\n");
        assertEquals(List.of("/mnt/first"), services.functions().load("app").plan().targets());
        assertEquals(List.of("/mnt/first"), services.functions().loadAll().iterator().next().plan().targets());
        assertEquals(List.of("/mnt/first"), services.plans().find("app", false).targets());

        assertEquals(List.of("/mnt/second"), Services.of(config).functions().load("app").plan().targets(),
                "another process reads the file as it is now");
    }

    @Test
    void serveStartsQuarkusButItsHelpDoesNot() {
        LeanLaunch.Outcome serve = LeanLaunch.run("serve", "--functions", tmp.toString());
        assertTrue(serve.exitCode().isEmpty());
        assertTrue(serve.mode().serve());
        // issue #19: `serve --help` answered before the host loads functions or binds its port
        assertEquals(0, LeanLaunch.run("serve", "--help").exitCode().getAsInt());
    }

    /** A mapping missing from LeanConfig would make its keys "unknown" on the fast path only. */
    @Test
    void everyConfigMappingIsRegisteredForTheFastPath() throws IOException {
        Pattern mapping = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"\\)\\s+public interface (\\w+)");
        Set<String> declared = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = mapping.matcher(Files.readString(f));
                while (m.find()) {
                    declared.add(m.group(2));
                }
            }
        }
        Set<String> registered = new TreeSet<>();
        for (Class<?> c : LeanConfig.MAPPINGS) {
            registered.add(c.getSimpleName());
        }
        assertTrue(declared.size() >= 8, "found " + declared);
        assertEquals(declared, registered);
    }

    @Test
    void unknownFiresafeKeysAreRefusedAsUnderQuarkus() {
        Map<String, String> values = Map.of("firesafe.bogus", "1");
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.smallrye.config.ConfigValidationException.class,
                () -> config(values));
        assertTrue(e.getMessage().contains("firesafe.bogus"), e.getMessage());
    }
}
