package dev.firesafe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The function hosts a test started, stopped when it ends: first the held commands under its control folders are
 * released (a killed host can leave one waiting), then every host is closed.
 */
public final class StartedHosts {

    private final List<Host> hosts = new ArrayList<>();
    private final List<Path> controls = new ArrayList<>();

    /** Starts {@code serve ARGS} and waits until it answers, as {@link Host#start}. */
    public Host start(Cli cli, Path workDir, String... args) throws IOException {
        return keep(Host.start(cli, workDir, args));
    }

    /** A host launched some other way (e.g. one expected to refuse to start), stopped with the rest. */
    public Host keep(Host host) {
        hosts.add(host);
        return host;
    }

    /** A control folder of held commands ({@link Functions}), released before the hosts stop. */
    public Path control(Path control) {
        controls.add(control);
        return control;
    }

    public void stopAll() throws IOException, InterruptedException {
        for (Path control : controls) {
            if (Files.isDirectory(control)) {
                Functions.release(control);
            }
        }
        for (Host h : hosts) {
            h.close();
        }
    }
}
