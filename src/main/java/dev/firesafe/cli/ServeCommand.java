package dev.firesafe.cli;

import dev.firesafe.host.trigger.FunctionHost;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "serve", description = "Run the function host: every function's timers, startup, message and "
        + "HTTP triggers, until stopped. HTTP on quarkus.http.host:quarkus.http.port (default 127.0.0.1:8080).")
class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(ServeCommand.class);

    @Option(names = "--functions", paramLabel = "DIR", description = "Read function definitions (NAME.yaml) from "
            + "DIR instead of firesafe.functions-dir (default: functions).")
    String functions; // held before start-up by ProcessMode: the host loads them at StartupEvent

    @Inject
    FunctionHost host;

    @Override
    public Integer call() {
        host.startFailure().ifPresent(e -> {
            throw e;
        });
        LOG.info("function host ready");
        Quarkus.waitForExit();
        return 0;
    }
}
