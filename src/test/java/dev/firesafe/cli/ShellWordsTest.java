package dev.firesafe.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A printed command, pasted into a shell, passes each word through unchanged. */
class ShellWordsTest {

    @Test
    void plainWordsStayAsTheyAre() {
        assertEquals("file:///srv/backups/", ShellWords.quote("file:///srv/backups/"));
        assertEquals("s3://bucket/pre_fix", ShellWords.quote("s3://bucket/pre_fix"));
    }

    @Test
    void whatAShellWouldExpandOrSplitComesBackUnchangedThroughSh() throws Exception {
        for (String word : List.of("github://acme/backups/fs?branch=main", "/mnt/my disk/x", "it's $HOME/*",
                "a\"b`c`", "")) {
            Process p = new ProcessBuilder("sh", "-c", "printf %s " + ShellWords.quote(word)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            assertEquals(word, out, "quoted: " + ShellWords.quote(word));
        }
    }
}
