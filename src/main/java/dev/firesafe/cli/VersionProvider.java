package dev.firesafe.cli;

import dev.firesafe.core.Version;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"firesafe " + Version.current()};
    }
}
