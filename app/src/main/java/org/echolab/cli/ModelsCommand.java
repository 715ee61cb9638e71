package org.echolab.cli;

import java.util.concurrent.Callable;
import org.echolab.models.Models;
import picocli.CommandLine.Command;

/** {@code echolab models}: one line per concurrency model. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the concurrency models, one line each.")
final class ModelsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        for (Models.Entry m : Models.all()) {
            System.out.printf("%-16s %s%n", m.name(), m.summary());
        }
        return ExitCode.OK.code;
    }
}
