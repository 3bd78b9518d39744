package dev.firesafe.cli;

import io.smallrye.config.SmallRyeConfig;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Console logging for a command started without Quarkus ({@link LeanLaunch}), from the same keys Quarkus reads:
 * {@code quarkus.log.level}, {@code quarkus.log.category."NAME".level} and {@code quarkus.log.console.format},
 * on stderr (stdout carries results). JSON logs need Quarkus' formatter, so they make the launcher boot Quarkus.
 */
final class LeanLogging {

    private static final String CATEGORY = "quarkus.log.category.\"";
    private static final String LEVEL = "\".level";

    private LeanLogging() {
    }

    static void configure(SmallRyeConfig config) {
        LogContext context = LogContext.getLogContext();
        Logger root = context.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        String format = config.getOptionalValue("quarkus.log.console.format", String.class)
                .orElse("%d{HH:mm:ss} %-5p [%c{1}] %s%e%n");
        root.addHandler(new ConsoleHandler(ConsoleHandler.Target.SYSTEM_ERR, new PatternFormatter(format)));
        root.setLevel(context.getLevelForName(config.getOptionalValue("quarkus.log.level", String.class)
                .orElse("INFO")));
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(CATEGORY) && name.endsWith(LEVEL) && name.length() > CATEGORY.length() + LEVEL.length()) {
                String category = name.substring(CATEGORY.length(), name.length() - LEVEL.length());
                context.getLogger(category).setLevel(context.getLevelForName(config.getValue(name, String.class)));
            }
        }
    }
}
