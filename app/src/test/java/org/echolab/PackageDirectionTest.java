package org.echolab;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packages point one way, as docs/server.md draws them: the protocol, the state, the OS calls,
 * TLS and logging at the bottom and knowing no other package of EchoLab; the session (the
 * conversation every model shares) above them and knowing no model; the models above the session
 * and knowing nothing of the server, the monitor or the tools; the CLI at the top. No package
 * cycles. Checked on the compiled classes with ArchUnit, so a new import that breaks the
 * direction fails the build instead of waiting for a reader to notice.
 */
class PackageDirectionTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.echolab");
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.echolab.(**)").should().beFreeOfCycles().check(main);
    }

    @ParameterizedTest
    @ValueSource(strings = {"protocol", "state", "os", "tls", "logging"})
    void theFoundationsKnowNoOtherPackage(String foundation) {
        classes()
                .that()
                .resideInAPackage("org.echolab." + foundation + "..")
                .should()
                .onlyDependOnClassesThat(resideOutsideOfPackage("org.echolab..")
                        .or(resideInAPackage("org.echolab." + foundation + "..")))
                .check(main);
    }

    /** Per process, the application, per connection: each room knows the ones below it and no model. */
    @Test
    void theRoomsOfOneProcessKnowNoModel() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "org.echolab.connection..",
                        "org.echolab.service..",
                        "org.echolab.process..",
                        "org.echolab.config..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.echolab.models..",
                        "org.echolab.server..",
                        "org.echolab.monitor..",
                        "org.echolab.cli..",
                        "org.echolab.bench..",
                        "org.echolab.lab..",
                        "org.echolab.load..",
                        "org.echolab.race..")
                .check(main);
    }

    @Test
    void theModelsKnowNothingAboveThem() {
        noClasses()
                .that()
                .resideInAPackage("org.echolab.models..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.echolab.server..",
                        "org.echolab.monitor..",
                        "org.echolab.cli..",
                        "org.echolab.bench..",
                        "org.echolab.lab..",
                        "org.echolab.load..",
                        "org.echolab.race..")
                .check(main);
    }

    @Test
    void theApplicationKnowsNoConnection() {
        noClasses()
                .that()
                .resideInAnyPackage("org.echolab.service..", "org.echolab.process..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.echolab.connection..")
                .check(main);
    }

    @Test
    void theProcessResourcesKnowNoAnswer() {
        noClasses()
                .that()
                .resideInAPackage("org.echolab.process..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.echolab.service..", "org.echolab.connection..")
                .check(main);
    }

    @Test
    void theMonitorReadsTheProcessOnly() {
        noClasses()
                .that()
                .resideInAPackage("org.echolab.monitor..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.echolab.models..",
                        "org.echolab.server..",
                        "org.echolab.connection..",
                        "org.echolab.service..",
                        "org.echolab.cli..",
                        "org.echolab.bench..",
                        "org.echolab.lab..",
                        "org.echolab.load..")
                .check(main);
    }

    @Test
    void onlyTheCliParsesCommandLines() {
        noClasses()
                .that()
                .resideOutsideOfPackage("org.echolab.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("picocli..")
                .check(main);
    }
}
