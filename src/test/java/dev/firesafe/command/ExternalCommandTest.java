package dev.firesafe.command;

import dev.firesafe.core.FiresafeException;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalCommandTest {

    private static ExternalCommand sh(String script) {
        return ExternalCommand.shell("test command", script, Map.of("SECRET_ENV", "hunter22"), Duration.ofMinutes(1));
    }

    /** Issue #19: psql's stderr quotes COPY rows with tabs in them; they showed as '?'. */
    @Test
    void aTabInStderrStaysATabWhileOtherControlCharactersAreBlanked() throws Exception {
        ExternalCommand.Finished f = sh("printf 'ERROR:  bad row \"1\\tx\"\\n' >&2; "
                + "printf 'ERROR: \\033[31mred\\n' >&2").run(in -> in.transferTo(OutputStream.nullOutputStream()));
        assertEquals(List.of("ERROR:  bad row \"1\tx\"", "ERROR: ?[31mred"), f.firstErrors());

        FiresafeException e = assertThrows(FiresafeException.class,
                () -> sh("printf \"a\\tb $SECRET_ENV\\n\" >&2; exit 3").run(in -> in.transferTo(
                        OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("a\tb ***"), e.getMessage());
    }
}
