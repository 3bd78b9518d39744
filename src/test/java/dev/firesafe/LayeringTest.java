package dev.firesafe;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house (docs/architecture.md): layers that only point down, and no package cycles anywhere. A class that
 * imports a layer above its own, or two packages that import each other, fail this test with the offending
 * dependencies named. Production classes only: tests may reach across layers to set things up.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.firesafe");
    }

    @Test
    void noPackageImportsAnotherThatImportsItBack() {
        slices().matching("dev.firesafe.(**)").should().beFreeOfCycles().check(classes);
    }

    /** Bottom to top; each layer may use only the layers listed before it. */
    @Test
    void layersOnlyPointDown() {
        Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                // a new package outside every layer would escape the rule: it must be placed in one
                .ensureAllClassesAreContainedInArchitecture()
                .layer("core").definedBy("dev.firesafe.core..")
                .layer("io").definedBy("dev.firesafe.io..")
                .layer("formats").definedBy("dev.firesafe.archive..", "dev.firesafe.crypto..",
                        "dev.firesafe.command..", "dev.firesafe.chunking..")
                .layer("store").definedBy("dev.firesafe.store..")
                .layer("plan").definedBy("dev.firesafe.plan..")
                .layer("sources").definedBy("dev.firesafe.source..", "dev.firesafe.postgres..")
                .layer("repository").definedBy("dev.firesafe.repository..")
                .layer("engine").definedBy("dev.firesafe.engine..")
                .layer("host").definedBy("dev.firesafe.host..")
                .layer("app").definedBy("dev.firesafe.app..")
                .layer("cli").definedBy("dev.firesafe.cli..", "dev.firesafe.nativeimage..")

                .whereLayer("core").mayNotAccessAnyLayer()
                .whereLayer("io").mayOnlyAccessLayers("core")
                .whereLayer("formats").mayOnlyAccessLayers("core", "io")
                .whereLayer("store").mayOnlyAccessLayers("core", "io", "formats")
                .whereLayer("plan").mayOnlyAccessLayers("core", "io", "formats", "store")
                .whereLayer("sources").mayOnlyAccessLayers("core", "io", "formats", "store", "plan")
                .whereLayer("repository").mayOnlyAccessLayers("core", "io", "formats", "store", "plan", "sources")
                .whereLayer("engine").mayOnlyAccessLayers("core", "io", "formats", "store", "plan", "sources",
                        "repository")
                .whereLayer("host").mayOnlyAccessLayers("core", "io", "formats", "store", "plan", "sources",
                        "repository", "engine")
                .whereLayer("app").mayOnlyAccessLayers("core", "io", "formats", "store", "plan", "sources",
                        "repository", "engine", "host")
                .whereLayer("cli").mayOnlyAccessLayers("core", "io", "formats", "store", "plan", "sources",
                        "repository", "engine", "host", "app")
                .check(classes);
    }

    /** Backends are reached through the registry: the pipeline knows stores, not S3 or GitHub. */
    @Test
    void onlyTheCompositionRootKnowsStoreBackends() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideOutsideOfPackages("dev.firesafe.store..", "dev.firesafe.app..", "dev.firesafe.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.firesafe.store.local..",
                        "dev.firesafe.store.s3..", "dev.firesafe.store.github..")
                .check(classes);
    }
}
