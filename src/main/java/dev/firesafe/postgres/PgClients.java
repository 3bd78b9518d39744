package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.command.ExternalCommand;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds PostgreSQL client programs (pg_dump, pg_dumpall, psql, pg_restore) along a search list and tells their
 * major versions by running {@code PROGRAM --version}. A dump must be made by a client of the server's major
 * version or newer (an older pg_dump refuses a newer server, or worse, misses what it does not know).
 */
public final class PgClients {

    /** One client program and the PostgreSQL major version it belongs to. */
    public record Client(Path path, int major, String version) {
        @Override
        public String toString() {
            return path + " (" + version + ")";
        }
    }

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) ((\\d+)(\\.\\d+)*)");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);

    private final List<String> searchList;

    public PgClients(List<String> searchList) {
        this.searchList = List.copyOf(searchList);
    }

    /** The search list with PATH and globs expanded, for messages. */
    public String describeSearch() {
        return String.join(", ", searchList);
    }

    /** Every {@code tool} along the search list, in search order, with its version. */
    public List<Client> find(String tool) {
        List<Client> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path candidate : candidates(tool)) {
            Path real;
            try {
                real = candidate.toRealPath(); // Debian's /usr/bin/psql is a link to a wrapper; count each once
            } catch (IOException e) {
                continue;
            }
            if (!seen.add(real) || !Files.isExecutable(candidate)) {
                continue;
            }
            Client c = version(candidate);
            if (c != null) {
                found.add(c);
            }
        }
        return found;
    }

    /**
     * The oldest {@code tool} whose major version is at least the server's. Fails, before anything is written,
     * naming the server version, the clients found and how to install the right one.
     */
    public Client forServer(String tool, ServerVersion server, String serverName) {
        List<Client> all = find(tool);
        return all.stream().filter(c -> c.major() >= server.major()).min(Comparator.comparingInt(Client::major))
                .orElseThrow(() -> FiresafeException.source("PostgreSQL server " + serverName + " is version "
                        + server.text() + "; " + tool + " must be version " + server.major() + " or newer, but "
                        + (all.isEmpty() ? "none was found" : "only these were found: " + all) + " (searched: "
                        + describeSearch() + "). Install the matching client, e.g. `apt-get install "
                        + "postgresql-client-" + server.major() + "` (PGDG apt repository for versions Debian does "
                        + "not ship), or add its bin folder to firesafe.postgres.client-paths."));
    }

    /** Any working {@code tool}: the first along the search list, else the default places. */
    public Client any(String tool) {
        List<Client> all = find(tool);
        if (all.isEmpty()) {
            all = new PgClients(List.of("PATH", "/usr/lib/postgresql/*/bin")).find(tool);
        }
        if (all.isEmpty()) {
            throw FiresafeException.source("no " + tool + " found (searched: " + describeSearch()
                    + "): install the PostgreSQL client, e.g. `apt-get install postgresql-client`");
        }
        return all.get(0);
    }

    private List<Path> candidates(String tool) {
        List<Path> out = new ArrayList<>();
        for (String entry : searchList) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("PATH")) {
                String path = System.getenv("PATH");
                for (String dir : (path == null ? "" : path).split(":")) {
                    if (!dir.isEmpty()) {
                        out.add(Path.of(dir, tool));
                    }
                }
            } else if (e.contains("*")) {
                out.addAll(glob(e, tool));
            } else {
                Path p = Path.of(e);
                if (Files.isDirectory(p)) {
                    out.add(p.resolve(tool));
                } else if (p.getFileName() != null && p.getFileName().toString().equals(tool)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** {@code /usr/lib/postgresql/*}{@code /bin}: one {@code *} segment, newest-looking names last. */
    private static List<Path> glob(String pattern, String tool) {
        int star = pattern.indexOf('*');
        int slashBefore = pattern.lastIndexOf('/', star);
        int slashAfter = pattern.indexOf('/', star);
        Path parent = Path.of(slashBefore <= 0 ? "/" : pattern.substring(0, slashBefore));
        String segment = pattern.substring(slashBefore + 1, slashAfter < 0 ? pattern.length() : slashAfter);
        String rest = slashAfter < 0 ? "" : pattern.substring(slashAfter + 1);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, segment)) {
            for (Path d : dirs) {
                Path base = rest.isEmpty() ? d : d.resolve(rest);
                out.add(Files.isDirectory(base) ? base.resolve(tool) : base);
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    private static Client version(Path program) {
        try {
            String text = new ExternalCommand(program + " --version", List.of(program.toString(), "--version"),
                    Map.of(), VERSION_TIMEOUT).output();
            Matcher m = VERSION.matcher(text);
            return m.find() ? new Client(program, Integer.parseInt(m.group(2)), m.group(1)) : null;
        } catch (IOException | FiresafeException e) {
            return null; // not a working client; the caller lists what did work
        }
    }
}
