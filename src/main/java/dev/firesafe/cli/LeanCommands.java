package dev.firesafe.cli;

import dev.firesafe.app.Services;
import picocli.CommandLine;

import java.lang.reflect.Constructor;

/**
 * picocli's factory for a command started without Quarkus ({@link LeanLaunch}): each command is built from the
 * same {@link Services} factory the Quarkus route injects ({@code app.ServiceProducers}), through the one
 * constructor every command has. {@code serve} never runs here; picocli still instantiates it to build its model.
 */
final class LeanCommands implements CommandLine.IFactory {

    private final Services services;

    LeanCommands(Services services) {
        this.services = services;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Services.class) {
                c.setAccessible(true);
                return type.cast(c.newInstance(services));
            }
        }
        return CommandLine.defaultFactory().create(type);
    }
}
