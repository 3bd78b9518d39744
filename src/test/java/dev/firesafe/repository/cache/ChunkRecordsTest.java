package dev.firesafe.repository.cache;

import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chunk records are read from two threads during a backup (the walk looks up an unchanged file's chunks while
 * the chunker looks up new ones). A buffer shared between reads once made a benchmark backup fail with a
 * BufferOverflowException, and could have paired one record's id with another's location.
 */
class ChunkRecordsTest {

    @TempDir
    Path tmp;

    private static byte[] id(int n) {
        byte[] id = new byte[ChunkRef.ID_BYTES];
        ByteBuffer.wrap(id).putInt(n).putInt(~n);
        return id;
    }

    @Test
    void aScanVisitsEveryRecordInOrderAcrossItsReadPieces() throws Exception {
        int records = 5000; // more than one piece of 2048 records
        try (ChunkRecords file = new ChunkRecords(tmp.resolve("chunks"))) {
            List<ChunkRef> refs = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                refs.add(new ChunkRef(id(i), new ChunkLocation("o" + i % 3, i, 1, 0, 1)));
            }
            file.append(refs, object -> Integer.parseInt(object.substring(1)));
            List<String> seen = new ArrayList<>();
            file.scan((n, id, object) -> {
                if (!Arrays.equals(id, id((int) n)) || object != n % 3) {
                    seen.add("record " + n + ": object " + object);
                }
                seen.add("");
            });
            assertEquals(records, seen.size());
            assertEquals(List.of(), seen.stream().filter(x -> !x.isEmpty()).toList());
        }
    }

    @Test
    void concurrentReadsEachGetTheirOwnRecordWhole() throws Exception {
        int records = 2000;
        try (ChunkRecords file = new ChunkRecords(tmp.resolve("chunks"))) {
            List<ChunkRef> refs = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                refs.add(new ChunkRef(id(i), new ChunkLocation("o", i * 1000L, i, i * 3, i * 7)));
            }
            file.append(refs, object -> 0);

            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random random = new Random(t);
                Thread reader = new Thread(() -> {
                    byte[] id = new byte[ChunkRef.ID_BYTES];
                    long[] at = new long[4];
                    try {
                        start.await();
                        for (int k = 0; k < 50_000 && wrong.isEmpty(); k++) {
                            int n = random.nextInt(records);
                            file.read(n, id, at);
                            if (!Arrays.equals(id, id(n)) || at[0] != n * 1000L || at[1] != n || at[2] != n * 3
                                    || at[3] != n * 7) {
                                wrong.add("record " + n + " read as " + Arrays.toString(at));
                            }
                        }
                    } catch (Exception | Error e) {
                        wrong.add(e.toString());
                    }
                });
                reader.start();
                readers.add(reader);
            }
            start.countDown();
            for (Thread reader : readers) {
                reader.join();
            }
            assertEquals(List.of(), List.copyOf(wrong));
        }
    }
}
