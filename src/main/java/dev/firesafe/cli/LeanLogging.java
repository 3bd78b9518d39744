package dev.firesafe.cli;

import dev.firesafe.core.FiresafeException;
import io.smallrye.config.SmallRyeConfig;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Console logging for a command started without Quarkus ({@link LeanLaunch}), from the same keys Quarkus reads:
 * {@code quarkus.log.level}, {@code quarkus.log.category."NAME".level} and {@code quarkus.log.console.format},
 * on stderr (stdout carries results). JSON logs need Quarkus' formatter, so they make the launcher boot Quarkus.
 *
 * <p>Until this runs, the root logger is at level ALL (Quarkus' initial configurator queues every record for the
 * handlers configured later): so the levels are read and checked first and set before the console handler is
 * attached; a level that is not one is a configuration error (issue #18: a stray {@code DEBUG [io.smallrye.config]
 * ... Loaded ConfigSource} reached stderr, and a mistyped level printed some 190 DEBUG and TRACE lines).
 */
final class LeanLogging {

    private static final String CATEGORY = "quarkus.log.category.\"";
    private static final String LEVEL = "\".level";

    private LeanLogging() {
    }

    static void configure(SmallRyeConfig config) {
        LogContext context = LogContext.getLogContext();
        Level rootLevel = level(context, "quarkus.log.level", config.getOptionalValue("quarkus.log.level",
                String.class).orElse("INFO"));
        Map<String, Level> categories = new LinkedHashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(CATEGORY) && name.endsWith(LEVEL) && name.length() > CATEGORY.length() + LEVEL.length()) {
                categories.put(name.substring(CATEGORY.length(), name.length() - LEVEL.length()),
                        level(context, name, config.getValue(name, String.class)));
            }
        }
        String format = config.getOptionalValue("quarkus.log.console.format", String.class)
                .orElse("%d{HH:mm:ss} %-5p [%c{1}] %s%e%n");
        Logger root = context.getLogger("");
        root.setLevel(rootLevel);
        categories.forEach((category, level) -> context.getLogger(category).setLevel(level));
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h); // the initial configurator's queue: what it holds is below these levels or gone
        }
        root.addHandler(new ConsoleHandler(ConsoleHandler.Target.SYSTEM_ERR, new PatternFormatter(format)));
    }

    private static Level level(LogContext context, String key, String value) {
        try {
            return context.getLevelForName(value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw FiresafeException.usage(key + "=" + value + " is not a log level (use ERROR, WARN, INFO, DEBUG or "
                    + "TRACE)");
        }
    }
}
