package dev.firesafe.cli;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.firesafe.app.Services;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.host.trigger.FunctionBackups;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.RunFinished;
import dev.firesafe.host.trigger.RunState;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One wiring path (issue #17, point 2): every service is built by {@code app.Services}, which both routes call
 * (the fast one-shot start directly, Quarkus through {@code app.ServiceProducers}); none is also a CDI bean with a
 * constructor of its own for the container.
 */
class WiringTest {

    private static final Set<String> CDI = Set.of("jakarta.enterprise.context.ApplicationScoped",
            "jakarta.inject.Singleton", "jakarta.enterprise.context.Dependent",
            "jakarta.enterprise.context.RequestScoped", "jakarta.inject.Inject", "jakarta.annotation.PreDestroy");

    @TempDir
    Path tmp;

    private static JavaClasses production() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.firesafe");
    }

    /** What Services builds is built nowhere else: the runner and its action have no second way in. */
    @Test
    void whatServicesBuildsIsNoCdiBeanAndTheRunnerIsBuiltOnlyThere() {
        JavaClasses classes = production();
        JavaClass services = classes.get(Services.class);
        Set<String> built = new TreeSet<>();
        services.getConstructorCallsFromSelf().stream().map(JavaConstructorCall::getTargetOwner)
                .filter(c -> c.getPackageName().startsWith("dev.firesafe.")).forEach(c -> built.add(c.getName()));
        assertTrue(built.contains(FunctionRunner.class.getName()), built.toString());
        assertTrue(built.contains(FunctionBackups.class.getName()), built.toString());
        List<String> beans = built.stream().map(classes::get).filter(c -> c.getAnnotations().stream()
                .anyMatch(a -> CDI.contains(a.getRawType().getName())) || c.getConstructors().stream()
                .anyMatch(k -> k.isAnnotatedWith("jakarta.inject.Inject"))
                || c.getMethods().stream().anyMatch(m -> m.isAnnotatedWith("jakarta.annotation.PreDestroy")))
                .map(JavaClass::getName).toList();
        assertEquals(List.of(), beans, "built by Services and also by CDI");
        for (Class<?> only : List.of(FunctionRunner.class, FunctionBackups.class)) {
            List<String> callers = classes.get(only).getConstructorCallsToSelf().stream()
                    .map(call -> call.getOriginOwner().getName()).distinct().toList();
            assertEquals(List.of(Services.class.getName()), callers, only.getSimpleName());
            assertEquals(1, classes.get(only).getConstructors().size(), only.getSimpleName() + ": one constructor");
        }
    }

    /** run-function takes the runner Services made, with the observers Services was given. */
    @Test
    void runFunctionUsesTheRunnerOfServicesAndItsObservers() throws IOException {
        Path functions = Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(functions.resolve("app.yaml"), "plan:\n  sources:\n    - path: "
                + Files.createDirectories(tmp.resolve("data")) + "\n  targets: [" + tmp.resolve("backups") + "]\n");
        Files.writeString(tmp.resolve("data/a.txt"), "a");
        List<RunFinished> heard = new CopyOnWriteArrayList<>();
        Map<String, String> values = Map.of("firesafe.master-key", MasterKey.generate(64 * 1024).toEscrowText(),
                "firesafe.functions-dir", functions.toString(), "firesafe.target", tmp.resolve("backups").toString(),
                "firesafe.triggers.debounce", "0s");
        try (Services services = new Services(Services.Settings.of(Fixtures.smallRye(values)), System::getenv,
                Clock.systemUTC(), new Services.Observers(b -> { }, d -> { }, heard::add))) {
            assertSame(services.runner(), services.runner(), "one runner per process");
            assertEquals(0, LeanLaunch.commandLine(services).execute("run-function", "app"));
            assertEquals(1, heard.size());
            assertEquals(RunState.Status.SUCCEEDED, heard.get(0).run().status());
            assertEquals("run-function", heard.get(0).run().trigger());
        }
    }
}
