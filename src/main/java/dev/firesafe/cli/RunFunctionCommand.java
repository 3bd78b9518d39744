package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.Policy;
import dev.firesafe.host.trigger.RunState;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "run-function", description = "Run one function's plan once, as its triggers would, and exit "
        + "with the backup's exit code (for Kubernetes CronJobs, systemd timers, serverless platforms).")
class RunFunctionCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", description = "The function: functions/NAME.yaml.")
    String name;

    @Option(names = "--json", description = "Print the run as one JSON object.")
    boolean json;

    private final FunctionCatalog catalog;
    private final FunctionRunner runner;

    @Inject
    RunFunctionCommand(Services services) {
        this.catalog = services.functions();
        this.runner = services.runner();
    }

    @Override
    public Integer call() {
        if (json) {
            Json.prepareInBackground();
        }
        catalog.load(name);
        RunState run = runner.request(name, "run-function", Policy.COALESCE).orElseThrow().done().join();
        if (json) {
            System.out.println(Json.of(run));
        } else if (run.status() == RunState.Status.SUCCEEDED) {
            System.out.printf("function %s: backup %s, %s written, %s%n", name, run.backupId(),
                    Units.bytes(run.bytes()), Units.seconds(run.ended().toEpochMilli()
                            - run.started().toEpochMilli()));
        }
        if (run.status() == RunState.Status.FAILED) {
            System.err.println("firesafe: function " + name + " failed: " + run.error());
        }
        return run.exitCode();
    }
}
